// The Connect-ES API every Sluice user needs beside the runtime, re-exported so an app takes
// `Code`, `ConnectError`, `createClient`… from the same copy of Connect the runtime uses.

export {
  Code,
  ConnectError,
  appendHeaders,
  createCallbackClient,
  createClient,
  createContextKey,
  createContextValues,
  createRouterTransport,
  decodeBinaryHeader,
  encodeBinaryHeader,
} from "@connectrpc/connect";
export type {
  CallOptions,
  CallbackClient,
  Client,
  ConnectRouter,
  ConnectRouterOptions,
  ContextKey,
  ContextValues,
  HandlerContext,
  Interceptor,
  MethodImpl,
  ServiceImpl,
  StreamRequest,
  StreamResponse,
  Transport,
  UnaryRequest,
  UnaryResponse,
} from "@connectrpc/connect";
