import { parsePushback } from "./pushback.js";

describe("parsePushback", () => {
  it("is none when the trailer is absent", () => {
    expect(parsePushback(null)).toEqual({ kind: "none" });
    expect(parsePushback(undefined)).toEqual({ kind: "none" });
  });

  it("reads a non-negative integer as the delay", () => {
    expect(parsePushback("0")).toEqual({ kind: "delay", delayMs: 0 });
    expect(parsePushback(" 250 ")).toEqual({ kind: "delay", delayMs: 250 });
    expect(parsePushback("2147483647")).toEqual({ kind: "delay", delayMs: 2147483647 });
  });

  it("stops on a negative, malformed, repeated or too large value", () => {
    for (const v of ["-1", "-0", "", "1.5", "1e3", "+5", "abc", "10, 20", "0x10", "2147483648"]) {
      expect(parsePushback(v)).toEqual({ kind: "stop" });
    }
  });
});
