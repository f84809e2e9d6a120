// How a unary response is kept in the cache and copied out: the message deep-copied per caller, as
// encoded bytes decoded per caller, or cloned with protobuf-es. No two callers share a mutable message.
import { clone, fromBinary, toBinary, type DescMessage, type DescMethodUnary, type MessageShape } from "@bufbuild/protobuf";
import type { UnaryResponse } from "@connectrpc/connect";
import { copyMessage } from "./message-copy.js";
import type { ResponseCodec } from "./response-cache.js";

/**
 * How cached messages are copied out: `"copy"` keeps the message and deep-copies it per caller
 * (`copyMessage`), `"decode"` keeps its bytes and decodes them per caller, `"clone"` keeps the
 * message and clones it with protobuf-es `clone`.
 */
export type CopyStrategy = "copy" | "decode" | "clone";

/** Accepted copy strategies. */
export const copyStrategies: readonly CopyStrategy[] = ["copy", "decode", "clone"];

interface Kept {
  readonly message: unknown;
  readonly header: ReadonlyArray<[string, string]>;
  readonly trailer: ReadonlyArray<[string, string]>;
}

/**
 * A caller's copy of a cached response: its own message, and header and trailer `Headers` made on
 * first read (most callers of a cached method never read them, and two `Headers` cost more than
 * the message copy). The accessors live on the prototype, so `{ ...response }` does not copy them:
 * use `plainResponse` before handing one to code that may spread it (as the interceptor layer does).
 *
 * @private
 */
export class CachedUnaryResponse<I extends DescMessage = DescMessage, O extends DescMessage = DescMessage> implements UnaryResponse<I, O> {
  readonly stream = false;
  readonly service: DescMethodUnary<I, O>["parent"];
  private ownHeader: Headers | undefined;
  private ownTrailer: Headers | undefined;

  constructor(
    readonly method: DescMethodUnary<I, O>,
    private readonly kept: Kept,
    readonly message: MessageShape<O>,
  ) {
    this.service = method.parent;
  }

  get header(): Headers {
    return (this.ownHeader ??= new Headers(this.kept.header as [string, string][]));
  }
  set header(value: Headers) {
    this.ownHeader = value;
  }
  get trailer(): Headers {
    return (this.ownTrailer ??= new Headers(this.kept.trailer as [string, string][]));
  }
  set trailer(value: Headers) {
    this.ownTrailer = value;
  }
}

/**
 * `response` as a plain object (own `header` and `trailer`), safe to spread; responses that are
 * plain already are returned as they are.
 *
 * @private
 */
export function plainResponse<R>(response: R): R {
  if (!(response instanceof CachedUnaryResponse)) return response;
  const { stream, service, method, header, message, trailer } = response;
  return { stream, service, method, header, message, trailer } as R;
}

/**
 * The codec of a unary method's responses: sizes are the serialized message length; each caller
 * gets its own message and its own header and trailer objects.
 */
export function unaryResponseCodec<I extends DescMessage, O extends DescMessage>(method: DescMethodUnary<I, O>, strategy: CopyStrategy): ResponseCodec<UnaryResponse<I, O>, Kept> {
  const output = method.output;
  const thawMessage: (kept: unknown) => MessageShape<O> =
    strategy === "decode"
      ? (kept) => fromBinary(output, kept as Uint8Array)
      : strategy === "clone"
        ? (kept) => clone(output, kept as MessageShape<O>)
        : (kept) => copyMessage(kept as MessageShape<O>);
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
      return new CachedUnaryResponse(method, kept, thawMessage(kept.message));
    },
  };
}
