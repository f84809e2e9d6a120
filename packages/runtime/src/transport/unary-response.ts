// The UnaryResponse of the fast path: header and trailer become fetch Headers only when somebody
// reads them (own enumerable getters, so a spread copy still carries them); the channel's own
// observers look single values up in node's raw headers instead.
import type { DescMessage, DescMethodUnary, MessageShape } from "@bufbuild/protobuf";
import type { UnaryResponse } from "@connectrpc/connect";
import type { IncomingHttpHeaders } from "node:http2";
import { joinedHeaderValue, toWebHeaders } from "./node-headers.js";

/** Where a fast-path response keeps node's raw headers, for {@link rawResponseValue}. */
const rawMetadata = Symbol("sluice.rawMetadata");

interface RawMetadata {
  readonly header: IncomingHttpHeaders;
  readonly trailer: IncomingHttpHeaders | undefined;
  readonly split: "trailer-" | undefined;
  headerCache: Headers | undefined;
  trailerCache: Headers | undefined;
}

type LazyResponse = { readonly [rawMetadata]: RawMetadata };

function readHeader(this: LazyResponse): Headers {
  const raw = this[rawMetadata];
  return (raw.headerCache ??= toWebHeaders(raw.header, raw.split));
}

function readTrailer(this: LazyResponse): Headers {
  const raw = this[rawMetadata];
  return (raw.trailerCache ??= raw.split === undefined ? toWebHeaders(raw.trailer) : prefixed(raw.header, raw.split));
}

// The same getter functions on every response keep V8's fast object layout (getters in an object
// literal are new closures each time, which turns every response into a ~700-byte dictionary object).
const headerProperty: PropertyDescriptor = { get: readHeader, enumerable: true, configurable: true };
const trailerProperty: PropertyDescriptor = { get: readTrailer, enumerable: true, configurable: true };

/** Builds a UnaryResponse whose headers are converted on first read. @private */
export function lazyUnaryResponse<I extends DescMessage, O extends DescMessage>(
  method: DescMethodUnary<I, O>,
  message: MessageShape<O>,
  rawHeader: IncomingHttpHeaders,
  rawTrailer: IncomingHttpHeaders | undefined,
  split: "trailer-" | undefined,
): UnaryResponse<I, O> {
  const response = {
    stream: false,
    service: method.parent,
    method,
    message,
    // Symbol-keyed, so no one takes it for response data (a spread copy keeps it, as it keeps header and trailer).
    [rawMetadata]: { header: rawHeader, trailer: rawTrailer, split, headerCache: undefined, trailerCache: undefined } satisfies RawMetadata,
  };
  Object.defineProperty(response, "header", headerProperty);
  Object.defineProperty(response, "trailer", trailerProperty);
  return response as unknown as UnaryResponse<I, O>;
}

/**
 * One header (`part` "header") or trailer value of a response built by {@link lazyUnaryResponse},
 * read from node's raw headers without building `Headers` (repeated values joined with ", ", as
 * `Headers.get` does; `null` when absent). `undefined` for any other response: read its Headers.
 * `name` must be lower case. @private
 */
export function rawResponseValue(response: object, part: "header" | "trailer", name: string): string | null | undefined {
  const raw = (response as { [rawMetadata]?: RawMetadata })[rawMetadata];
  if (raw === undefined) return undefined;
  let value: string | string[] | undefined;
  if (raw.split === undefined) value = part === "header" ? raw.header[name] : raw.trailer?.[name];
  else value = part === "header" ? (name.startsWith(raw.split) ? undefined : raw.header[name]) : raw.header[raw.split + name];
  return joinedHeaderValue(value);
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
