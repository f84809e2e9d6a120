import * as connect from "@connectrpc/connect";
import * as runtime from "./index.js";

/** Compiles only when A and B are the same type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameTypes: [
  Same<runtime.Transport, connect.Transport>,
  Same<runtime.Interceptor, connect.Interceptor>,
  Same<runtime.ConnectRouter, connect.ConnectRouter>,
  Same<runtime.HandlerContext, connect.HandlerContext>,
  Same<runtime.ContextValues, connect.ContextValues>,
  Same<runtime.ContextKey<number>, connect.ContextKey<number>>,
  Same<runtime.CallOptions, connect.CallOptions>,
] = [true, true, true, true, true, true, true];

describe("Connect re-exports", () => {
  it.each([
    "Code",
    "ConnectError",
    "appendHeaders",
    "createCallbackClient",
    "createClient",
    "createContextKey",
    "createContextValues",
    "createRouterTransport",
    "decodeBinaryHeader",
    "encodeBinaryHeader",
  ] as const)("%s is the very object @connectrpc/connect exports", (name) => {
    expect(runtime[name]).toBeDefined();
    expect(runtime[name]).toBe(connect[name]);
  });

  it("an error made with the runtime's ConnectError is a ConnectError to Connect, and codes agree", () => {
    const error = new runtime.ConnectError("no", runtime.Code.Unavailable);
    expect(error).toBeInstanceOf(connect.ConnectError);
    expect(connect.ConnectError.from(error)).toBe(error);
    expect(runtime.Code.ResourceExhausted).toBe(connect.Code.ResourceExhausted);
    expect(sameTypes.every(Boolean)).toBe(true);
  });
});
