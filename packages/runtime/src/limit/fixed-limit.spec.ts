import { createFixedLimit } from "./fixed-limit.js";
import { feed } from "./testing.js";

describe("createFixedLimit", () => {
  it("keeps its limit whatever the samples say", () => {
    const fixed = createFixedLimit({ limit: 16 });
    expect(feed(fixed, 3, 1000, 16, true)).toEqual([16, 16, 16]);
  });

  it("rejects a limit that is not an integer >= 1", () => {
    expect(() => createFixedLimit({ limit: 0 })).toThrow("limit: must be an integer >= 1, got 0");
    expect(() => createFixedLimit({} as never)).toThrow("limit: must be an integer >= 1, got undefined");
  });
});
