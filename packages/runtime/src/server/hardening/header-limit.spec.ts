// Unit tests of headerListSize: name + value + 32 bytes per field, as HTTP/2 counts it.
import { headerListSize } from "./header-limit.js";

describe("headerListSize", () => {
  it("counts name, value and 32 bytes of overhead per field", () => {
    expect(headerListSize([])).toBe(0);
    expect(headerListSize([":path", "/a"])).toBe(5 + 2 + 32);
    expect(headerListSize([":method", "POST", "x-big", "a".repeat(1000)])).toBe(7 + 4 + 32 + 5 + 1000 + 32);
  });
});
