// Unit tests of the hardening options: defaults, overrides, and errors naming the field and range.
import { defaultHardening, resolveHardening } from "./hardening-options.js";

describe("resolveHardening", () => {
  it("gives the public-endpoint defaults when nothing is set", () => {
    expect(resolveHardening(undefined)).toEqual({
      maxConcurrentStreams: 250,
      maxHeaderListBytes: 16_384,
      maxConnections: 10_000,
      firstRequestTimeoutMs: 30_000,
      idleTimeoutMs: 300_000,
      requestIdleTimeoutMs: 300_000,
      goawayGraceMs: 10_000,
    });
    expect(resolveHardening({})).toEqual(defaultHardening);
  });

  it("keeps what is set and fills in the rest", () => {
    const resolved = resolveHardening({ maxConnections: 5, idleTimeoutMs: 0, goawayGraceMs: 0 });
    expect(resolved).toEqual({ ...defaultHardening, maxConnections: 5, idleTimeoutMs: 0, goawayGraceMs: 0 });
  });

  it.each([
    [{ maxConcurrentStreams: 0 }, "hardening.maxConcurrentStreams: must be an integer from 1 to 2147483647, got 0"],
    [{ maxConcurrentStreams: 1.5 }, "hardening.maxConcurrentStreams: must be an integer from 1 to 2147483647, got 1.5"],
    [{ maxHeaderListBytes: 100 }, "hardening.maxHeaderListBytes: must be an integer from 1024 to 16777216 (bytes), got 100"],
    [{ maxConnections: 0 }, "hardening.maxConnections: must be an integer from 1 to 1000000, got 0"],
    [{ firstRequestTimeoutMs: -1 }, "hardening.firstRequestTimeoutMs: must be 0 (off) or an integer from 1 to 2147483647 (milliseconds), got -1"],
    [{ idleTimeoutMs: Number.POSITIVE_INFINITY }, "hardening.idleTimeoutMs: must be 0 (off) or an integer from 1 to 2147483647 (milliseconds), got Infinity"],
    [{ requestIdleTimeoutMs: 2 ** 31 }, "hardening.requestIdleTimeoutMs: must be 0 (off) or an integer from 1 to 2147483647 (milliseconds), got 2147483648"],
    [{ goawayGraceMs: Number.NaN }, "hardening.goawayGraceMs: must be an integer from 0 to 2147483647 (milliseconds), got NaN"],
    [{ maxConnections: "10" }, "hardening.maxConnections: must be an integer from 1 to 1000000, got 10"],
  ])("refuses %j", (options, message) => {
    expect(() => resolveHardening(options as never)).toThrow(message);
  });

  it("refuses unknown fields and non-objects, naming what is accepted", () => {
    expect(() => resolveHardening({ maxStreams: 5 } as never)).toThrow(
      "hardening.maxStreams: unknown option; accepted: maxConcurrentStreams, maxHeaderListBytes, maxConnections, firstRequestTimeoutMs, idleTimeoutMs, requestIdleTimeoutMs, goawayGraceMs",
    );
    expect(() => resolveHardening(5 as never)).toThrow("hardening: must be an object of limits, got 5");
  });
});
