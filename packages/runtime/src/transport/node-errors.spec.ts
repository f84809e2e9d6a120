import { Code, ConnectError } from "@connectrpc/connect";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { connectionError } from "./node-errors.js";

const nodeError = (message: string, code: string): Error => Object.assign(new Error(message), { code });

describe("connectionError", () => {
  it('words a lost connection "connection to <address> lost: <cause>", UNAVAILABLE, keeping the cause', () => {
    const cause = nodeError("read ECONNRESET", "ECONNRESET");
    const error = connectionError("10.0.0.1:8080", cause);
    expect([error.code, error.rawMessage, error.cause]).toEqual([Code.Unavailable, "connection to 10.0.0.1:8080 lost: read ECONNRESET", cause]);
  });

  it('says "failed" for a connection never established, also when the node error is a cause', () => {
    const refused = nodeError("connect ECONNREFUSED 10.0.0.1:8080", "ECONNREFUSED");
    expect(connectionError("10.0.0.1:8080", refused).rawMessage).toBe("connection to 10.0.0.1:8080 failed: connect ECONNREFUSED 10.0.0.1:8080");
    const wrapped = new ConnectError("connect ECONNREFUSED", Code.Unavailable, undefined, undefined, refused);
    expect(connectionError("10.0.0.1:8080", wrapped).rawMessage).toBe("connection to 10.0.0.1:8080 failed: connect ECONNREFUSED");
  });

  it("keeps metadata and details, turns any code into UNAVAILABLE, and leaves an error already worded for the address alone", () => {
    const canceled = new ConnectError("http/2 stream closed with error code CANCEL (0x8)", Code.Canceled, { "x-a": "1" }, [{ desc: DurationSchema, value: { seconds: 1n } }]);
    const error = connectionError("[::1]:9", canceled);
    expect([error.code, error.rawMessage, error.metadata.get("x-a"), error.findDetails(DurationSchema).length]).toEqual([
      Code.Unavailable,
      "connection to [::1]:9 lost: http/2 stream closed with error code CANCEL (0x8)",
      "1",
      1,
    ]);
    expect(connectionError("[::1]:9", error)).toBe(error);
    expect(connectionError("[::1]:10", error).rawMessage).toBe(`connection to [::1]:10 lost: ${error.rawMessage}`);
  });
});
