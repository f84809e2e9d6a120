import { xxHash32 } from "./hash.js";

describe("xxHash32", () => {
  // Reference vectors of the xxHash32 specification (seed 0 and seed 0x12345678).
  const vectors: [string, number, number][] = [
    ["", 0x02cc5d05, 0xbd209070],
    ["0", 0x48454cb2, 0xf53c91ba],
    ["0123", 0x0a0b4c93, 0x405c9efd],
    ["01234", 0x8aa3b71c, 0xba160770],
    ["0123456789:;<=>", 0xa089ca17, 0x3d1be4cb],
    ["0123456789:;<=>?", 0xbee4114f, 0xefb49920],
    ["0123456789:;<=>?@ABC", 0x2f42f78b, 0x6a418db1],
  ];

  it.each(vectors)("hashes %j like the reference", (input, seed0, seeded) => {
    expect(xxHash32(input)).toBe(seed0);
    expect(xxHash32(input, 0x12345678)).toBe(seeded);
  });

  it("matches other known values", () => {
    expect(xxHash32("a")).toBe(0x550d7456);
    expect(xxHash32("abc")).toBe(0x32d153ff);
    expect(xxHash32("ABC")).toBe(0x80712ed5);
    expect(xxHash32("test")).toBe(0x3e2023cf);
  });

  it("hashes strings as UTF-8 and bytes as given", () => {
    expect(xxHash32("é")).toBe(xxHash32(new Uint8Array([0xc3, 0xa9])));
    expect(xxHash32(new Uint8Array([0x61, 0x62, 0x63]))).toBe(0x32d153ff);
  });

  it("spreads similar keys over the 32-bit range", () => {
    const buckets = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) buckets[xxHash32(`10.0.0.1:8080#${i}`) >>> 28]!++;
    for (const count of buckets) {
      expect(count).toBeGreaterThan(1000 * 0.9);
      expect(count).toBeLessThan(1000 * 1.1);
    }
  });
});
