// The response header of a fast-path streaming call as fetch Headers built on first read: most
// callers never read it, and building Headers cost a noticeable part of opening a call.
import type { IncomingHttpHeaders } from "node:http2";
import { joinedHeaderValue, toWebHeaders } from "./node-headers.js";

/** Where a streaming response keeps node's raw response headers until its `header` is read. */
const rawStreamHeader = Symbol("sluice.rawStreamHeader");

interface RawStreamHeader {
  readonly raw: IncomingHttpHeaders;
  cache: Headers | undefined;
}

type WithRawHeader = { readonly [rawStreamHeader]: RawStreamHeader };

function readStreamHeader(this: WithRawHeader): Headers {
  const held = this[rawStreamHeader];
  return (held.cache ??= toWebHeaders(held.raw));
}

// One getter function for every response keeps V8's fast object layout (see unary-response.ts).
const headerProperty: PropertyDescriptor = { get: readStreamHeader, enumerable: true, configurable: true };

/**
 * Gives `response` an enumerable `header` getter that converts `raw` (node's response headers) to
 * fetch Headers on first read and keeps them. A copy made with {@link withStreamMessages} stays lazy
 * and shares the conversion; a spread copy reads it. @private
 */
export function defineLazyStreamHeader<T extends object>(response: T, raw: IncomingHttpHeaders): T & { readonly header: Headers } {
  return withRawHeader(response, { raw, cache: undefined });
}

function withRawHeader<T extends object>(response: T, held: RawStreamHeader): T & { readonly header: Headers } {
  Object.defineProperty(response, rawStreamHeader, { value: held, enumerable: false });
  Object.defineProperty(response, "header", headerProperty);
  return response as T & { readonly header: Headers };
}

/** The fields of a fast-path stream response besides its header. */
interface StreamResponseFields {
  readonly stream: true;
  readonly service: unknown;
  readonly method: unknown;
  readonly trailer: Headers;
  readonly message: unknown;
}

/**
 * `{ ...response, message }` for a streaming response, except that the lazy header of a response
 * made by {@link defineLazyStreamHeader} stays lazy (a spread would build it; copying property
 * descriptors generically cost more than building it). @private
 */
export function withStreamMessages<R extends StreamResponseFields & { readonly header: Headers }>(response: R, message: R["message"]): R {
  const held = (response as Partial<WithRawHeader>)[rawStreamHeader];
  if (held === undefined) return { ...response, message };
  const fields: StreamResponseFields = { stream: true, service: response.service, method: response.method, trailer: response.trailer, message };
  return withRawHeader(fields, held) as unknown as R;
}

/**
 * Header `name` (lower case) of a response given a lazy header by {@link defineLazyStreamHeader},
 * read from node's raw headers without building Headers (repeated values joined with ", ", as
 * `Headers.get` does; `null` when absent); `undefined` for any other response. @private
 */
export function rawStreamHeaderValue(response: object, name: string): string | null | undefined {
  const held = (response as Partial<WithRawHeader>)[rawStreamHeader];
  if (held === undefined) return undefined;
  if (held.cache !== undefined) return held.cache.get(name);
  return joinedHeaderValue(name.charCodeAt(0) === 58 /* ":" */ ? undefined : held.raw[name]);
}
