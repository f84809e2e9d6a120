// How a unary response is kept in the cache and copied out: as encoded bytes decoded per caller, or
// as the message cloned per caller. Either way no two callers share a mutable message.
import { clone, fromBinary, toBinary, type DescMessage, type DescMethodUnary } from "@bufbuild/protobuf";
import type { UnaryResponse } from "@connectrpc/connect";
import type { ResponseCodec } from "./response-cache.js";

/** How cached messages are copied out: `"decode"` keeps bytes, `"clone"` keeps the message. */
export type CopyStrategy = "decode" | "clone";

/** Accepted copy strategies. */
export const copyStrategies: readonly CopyStrategy[] = ["decode", "clone"];

interface Kept {
  readonly message: unknown;
  readonly header: ReadonlyArray<[string, string]>;
  readonly trailer: ReadonlyArray<[string, string]>;
}

/**
 * The codec of a unary method's responses: sizes are the serialized message length; each caller
 * gets fresh header and trailer objects and its own message.
 */
export function unaryResponseCodec<I extends DescMessage, O extends DescMessage>(method: DescMethodUnary<I, O>, strategy: CopyStrategy): ResponseCodec<UnaryResponse<I, O>, Kept> {
  const output = method.output;
  return {
    freeze(response) {
      const bytes = toBinary(output, response.message);
      const kept: Kept = {
        message: strategy === "decode" ? bytes : response.message,
        header: [...response.header],
        trailer: [...response.trailer],
      };
      return { kept, length: bytes.length };
    },
    thaw(kept) {
      const message = strategy === "decode" ? fromBinary(output, kept.message as Uint8Array) : clone(output, kept.message as UnaryResponse<I, O>["message"]);
      return {
        stream: false,
        service: method.parent,
        method,
        header: new Headers(kept.header as [string, string][]),
        message,
        trailer: new Headers(kept.trailer as [string, string][]),
      };
    },
  };
}
