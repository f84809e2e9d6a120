import { clientFlowControlDefaults, http2DefaultWindowBytes, http2MaxWindowBytes, resolveFlowControl, serverFlowControlDefaults, withStreamWindow } from "./flow-control.js";

describe("resolveFlowControl", () => {
  it("returns the defaults when nothing is configured", () => {
    expect(resolveFlowControl(undefined, clientFlowControlDefaults, "flowControl")).toEqual({ streamWindowBytes: 1_048_576, connectionWindowBytes: 2_097_152 });
    expect(resolveFlowControl({}, serverFlowControlDefaults, "flowControl")).toEqual({ streamWindowBytes: 65_535, connectionWindowBytes: 2_097_152 });
  });

  it("takes each field that is set and keeps the default of the other", () => {
    expect(resolveFlowControl({ streamWindowBytes: 300_000 }, clientFlowControlDefaults, "flowControl")).toEqual({
      streamWindowBytes: 300_000,
      connectionWindowBytes: 2_097_152,
    });
    expect(resolveFlowControl({ connectionWindowBytes: http2MaxWindowBytes }, serverFlowControlDefaults, "flowControl")).toEqual({
      streamWindowBytes: 65_535,
      connectionWindowBytes: 2_147_483_647,
    });
  });

  it("accepts both ends of HTTP/2's range", () => {
    const flow = { streamWindowBytes: http2DefaultWindowBytes, connectionWindowBytes: http2MaxWindowBytes };
    expect(resolveFlowControl(flow, clientFlowControlDefaults, "flowControl")).toEqual(flow);
  });

  it.each<[string, unknown]>([
    ["streamWindowBytes", 65_534],
    ["streamWindowBytes", 2 ** 31],
    ["streamWindowBytes", 100_000.5],
    ["connectionWindowBytes", Number.NaN],
    ["connectionWindowBytes", "2097152"],
    ["connectionWindowBytes", -1],
  ])("refuses %s = %j, naming the field under its path and the accepted range", (field, value) => {
    expect(() => resolveFlowControl({ [field]: value } as never, clientFlowControlDefaults, "transport.flowControl")).toThrow(
      `transport.flowControl.${field}: must be an integer from 65535 to 2147483647 (bytes), got ${String(value)}`,
    );
  });

  it("refuses a value that is not an object", () => {
    expect(() => resolveFlowControl(1_048_576 as never, clientFlowControlDefaults, "flowControl")).toThrow(/^flowControl: must be an object/);
  });
});

describe("withStreamWindow", () => {
  it("adds the stream window to the other settings", () => {
    expect(withStreamWindow({ maxConcurrentStreams: 10 }, clientFlowControlDefaults)).toEqual({ initialWindowSize: 1_048_576, maxConcurrentStreams: 10 });
    expect(withStreamWindow(undefined, serverFlowControlDefaults)).toEqual({ initialWindowSize: 65_535 });
  });

  it("lets a window given in the settings themselves win", () => {
    expect(withStreamWindow({ initialWindowSize: 70_000 }, clientFlowControlDefaults)).toEqual({ initialWindowSize: 70_000 });
  });
});
