// How an Observable is bridged to a stream that pulls: the bound of the buffer between them and
// what happens when the Observable emits into a full buffer.

/**
 * What a bounded buffer does when a message arrives and it is full: `"error"` fails the stream
 * with RESOURCE_EXHAUSTED (the default), `"drop-oldest"` discards the oldest buffered message,
 * `"drop-newest"` discards the arriving one.
 */
export type OverflowStrategy = "error" | "drop-oldest" | "drop-newest";

/** The overflow strategies, as accepted in configuration. */
export const overflowStrategies: readonly OverflowStrategy[] = ["error", "drop-oldest", "drop-newest"];

/** Bridging of an Observable into a pulled stream (a request stream or a handler's responses). */
export interface ObservableBufferOptions {
  /** Messages held while the stream cannot take more (default 256; a positive integer). */
  readonly bufferSize?: number;
  /** What a full buffer does with the next message (default `"error"`). */
  readonly overflow?: OverflowStrategy;
}

/** {@link ObservableBufferOptions} with every field filled in. */
export interface ResolvedBufferOptions {
  readonly bufferSize: number;
  readonly overflow: OverflowStrategy;
}

/** The default buffer: 256 messages, fail with RESOURCE_EXHAUSTED when it overflows. */
export const defaultBufferOptions: ResolvedBufferOptions = { bufferSize: 256, overflow: "error" };

/**
 * Fills in defaults and validates `options`, throwing an error that names the field (prefixed
 * with `field`) and the accepted values.
 *
 * @example
 * resolveBufferOptions({ overflow: "drop-oldest" }, "observableInput"); // { bufferSize: 256, overflow: "drop-oldest" }
 */
export function resolveBufferOptions(options: ObservableBufferOptions | undefined, field: string): ResolvedBufferOptions {
  const bufferSize = options?.bufferSize ?? defaultBufferOptions.bufferSize;
  const overflow = options?.overflow ?? defaultBufferOptions.overflow;
  if (!Number.isSafeInteger(bufferSize) || bufferSize < 1) {
    throw new Error(`${field}.bufferSize: must be a positive integer, got ${String(bufferSize)}`);
  }
  if (!overflowStrategies.includes(overflow)) {
    throw new Error(`${field}.overflow: must be one of ${overflowStrategies.map((s) => `"${s}"`).join(", ")}, got ${JSON.stringify(overflow)}`);
  }
  return { bufferSize, overflow };
}
