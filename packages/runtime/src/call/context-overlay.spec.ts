import { createContextKey, createContextValues } from "@connectrpc/connect";
import { overlayContext } from "./context-overlay.js";

describe("overlayContext", () => {
  const shown = createContextKey("default-shown");
  const other = createContextKey("default-other");

  it("reads its value for its key and the base (or the defaults) for the others", () => {
    const base = createContextValues().set(other, "from-base");
    expect(overlayContext(base, shown, "overlaid").get(shown)).toBe("overlaid");
    expect(overlayContext(base, shown, "overlaid").get(other)).toBe("from-base");
    expect(overlayContext(undefined, shown, "overlaid").get(other)).toBe("default-other");
  });

  it("never changes the base's value of its key; writes of other keys go to the base", () => {
    const base = createContextValues().set(shown, "base-value");
    const overlay = overlayContext(base, shown, "overlaid");
    overlay.set(shown, "changed");
    expect(overlay.get(shown)).toBe("changed");
    expect(base.get(shown)).toBe("base-value");
    overlay.set(other, "written");
    expect(base.get(other)).toBe("written");
    overlay.delete(shown);
    expect(overlay.get(shown)).toBe("default-shown");
    expect(base.get(shown)).toBe("base-value");
  });

  it("keeps writes of its own when there is no base", () => {
    const overlay = overlayContext(undefined, shown, "overlaid").set(other, "written");
    expect(overlay.get(other)).toBe("written");
    expect(overlay.delete(other).get(other)).toBe("default-other");
  });
});
