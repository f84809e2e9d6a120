import { Code, ConnectError } from "@connectrpc/connect";
import { connectionAwareError } from "./connection-errors.js";

describe("connectionAwareError", () => {
  const address = "10.0.0.1:8080";

  it.each([Code.Canceled, Code.Aborted, Code.Unavailable])("turns %s from below the server into UNAVAILABLE naming the endpoint", (code) => {
    const error = ConnectError.from(connectionAwareError(new ConnectError("read ECONNRESET", code), undefined, address));
    expect([error.code, error.rawMessage]).toEqual([Code.Unavailable, "connection to 10.0.0.1:8080 lost: read ECONNRESET"]);
  });

  it("leaves alone the caller's own abort, what the server sent, and every other code", () => {
    const aborted = new AbortController();
    aborted.abort();
    const canceled = new ConnectError("canceled", Code.Canceled);
    expect(connectionAwareError(canceled, aborted.signal, address)).toBe(canceled);
    const fromServer = new ConnectError("dependency down", Code.Unavailable, { "grpc-status": "14" });
    expect(connectionAwareError(fromServer, undefined, address)).toBe(fromServer);
    const internal = new ConnectError("boom", Code.Internal);
    expect(connectionAwareError(internal, undefined, address)).toBe(internal);
  });
});
