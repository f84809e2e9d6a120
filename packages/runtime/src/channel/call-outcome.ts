// The CallOutcome observers see: the response's header and trailer are handed over lazily (a
// fast-path unary response converts them to Headers only if an observer reads them), and the
// channel's own observers read single values through metadataValue, without any conversion.
import type { ConnectError } from "@connectrpc/connect";
import type { CallOutcome } from "./call-observer.js";
import { rawResponseValue } from "../transport/unary-response.js";
import { rawStreamHeaderValue } from "../transport/lazy-stream-header.js";

/** The part of a unary or stream response an outcome carries. @private */
export interface ResponseMetadata {
  readonly header: Headers;
  readonly trailer: Headers;
}

/** An outcome with a response: header and trailer are read from it on demand. */
class ResponseOutcome implements CallOutcome {
  constructor(
    readonly error: ConnectError | undefined,
    readonly endedAt: number,
    readonly canceledByCaller: boolean,
    readonly response: ResponseMetadata,
  ) {}

  get header(): Headers {
    return this.response.header;
  }

  get trailer(): Headers {
    return this.response.trailer;
  }
}

/**
 * The outcome of an attempt that ended at `endedAt` with `error` (undefined: success); `response`
 * is read only when an observer reads `header` or `trailer`. @private
 */
export function callOutcome(
  error: ConnectError | undefined,
  endedAt: number,
  canceledByCaller: boolean,
  response: ResponseMetadata | undefined,
): CallOutcome {
  if (response === undefined) return { error, endedAt, canceledByCaller, header: undefined, trailer: undefined };
  return new ResponseOutcome(error, endedAt, canceledByCaller, response);
}

/**
 * The value of metadata `name` (lower case) an outcome brought back: from the trailer, else the
 * error's metadata, else the header; `undefined` when none has it. Reads a fast-path response's raw
 * headers directly. @private
 */
export function metadataValue(outcome: CallOutcome, name: string): string | undefined {
  if (outcome instanceof ResponseOutcome) {
    const response = outcome.response;
    const trailer = rawResponseValue(response, "trailer", name);
    if (trailer !== undefined) return trailer ?? outcome.error?.metadata.get(name) ?? rawResponseValue(response, "header", name) ?? undefined;
  }
  const value = outcome.trailer?.get(name) ?? outcome.error?.metadata.get(name);
  if (value != null) return value;
  // A fast-path stream's header is read raw, so that it is never converted for this lookup.
  const header = outcome instanceof ResponseOutcome ? rawStreamHeaderValue(outcome.response, name) : undefined;
  return (header !== undefined ? header : outcome.header?.get(name)) ?? undefined;
}
