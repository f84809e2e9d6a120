// The UnaryResponse of the fast path: header and trailer become fetch Headers only when somebody
// reads them (own enumerable getters, so a spread copy still carries them).
import type { DescMessage, DescMethodUnary, MessageShape } from "@bufbuild/protobuf";
import type { UnaryResponse } from "@connectrpc/connect";
import type { IncomingHttpHeaders } from "node:http2";
import { toWebHeaders } from "./node-headers.js";

/** Builds a UnaryResponse whose headers are converted on first read. @private */
export function lazyUnaryResponse<I extends DescMessage, O extends DescMessage>(
  method: DescMethodUnary<I, O>,
  message: MessageShape<O>,
  rawHeader: IncomingHttpHeaders,
  rawTrailer: IncomingHttpHeaders | undefined,
  split: "trailer-" | undefined,
): UnaryResponse<I, O> {
  let header: Headers | undefined;
  let trailer: Headers | undefined;
  return {
    stream: false,
    service: method.parent,
    method,
    message,
    get header(): Headers {
      return (header ??= toWebHeaders(rawHeader, split));
    },
    get trailer(): Headers {
      if (trailer === undefined) {
        trailer = split === undefined ? toWebHeaders(rawTrailer) : prefixed(rawHeader, split);
      }
      return trailer;
    },
  };
}

/** The headers named `prefix…`, with the prefix removed (Connect unary trailers). @private */
export function prefixed(raw: IncomingHttpHeaders, prefix: string): Headers {
  const out = new Headers();
  for (const key in raw) {
    if (!key.startsWith(prefix)) continue;
    const value = raw[key];
    if (value === undefined) continue;
    const name = key.slice(prefix.length);
    if (Array.isArray(value)) for (const v of value) out.append(name, v);
    else out.append(name, String(value));
  }
  return out;
}
