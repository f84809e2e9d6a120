// GhostFilter: what it recalls after remember, collisions and clear, and its configuration check.
import { GhostFilter } from "./ghost-filter.js";

describe("GhostFilter", () => {
  it("recalls a remembered hash until another hash takes its slot", () => {
    const ghosts = new GhostFilter(8);
    expect(ghosts.recalls(13)).toBe(false);
    ghosts.remember(13); // slot 13 & 7 = 5
    ghosts.remember(2);
    expect(ghosts.recalls(13)).toBe(true);
    expect(ghosts.recalls(5)).toBe(false); // same slot, different hash
    ghosts.remember(21); // slot 5 again: 13 is forgotten
    expect(ghosts.recalls(13)).toBe(false);
    expect(ghosts.recalls(21)).toBe(true);
    expect(ghosts.recalls(2)).toBe(true);
  });

  it("recalls nothing after clear(), not even hash 0", () => {
    const ghosts = new GhostFilter(4);
    expect(ghosts.recalls(0)).toBe(false);
    ghosts.remember(0);
    expect(ghosts.recalls(0)).toBe(true);
    ghosts.clear();
    expect(ghosts.recalls(0)).toBe(false);
  });

  it("rejects a size that is not a power of two, naming the field", () => {
    expect(() => new GhostFilter(6)).toThrow(/size: must be a power of two >= 1, got 6/);
    expect(() => new GhostFilter(0)).toThrow(/size: must be a power of two >= 1, got 0/);
  });
});
