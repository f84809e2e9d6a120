// The request messages of a streaming call, read once from the caller and replayed to each attempt
// (retries and hedges), within a per-call and a per-channel byte bound.
import { create, isMessage, toBinary, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";

/** Counts the bytes a call buffers against its channel's bound. @private */
export interface ReplayAccount {
  replayBytes: number;
}

/** One attempt's view of a replayed request stream. @private */
export interface ReplayReader<T> extends AsyncIterable<T> {
  close(): void;
}

/** A call's replayable request stream. @private */
export interface ReplayInput<T> {
  /**
   * A fresh reader from the first message, for one attempt (iterate it once); messages come from
   * the buffer, then from the caller. `close()` it when the attempt fails, so the buffer can shrink.
   */
  reader(): ReplayReader<T>;
  /** False once the buffered messages passed a bound: no attempt may start after that. */
  readonly replayable: boolean;
  /** The call is committed to one attempt (or over): stop buffering and give the bytes back. */
  release(): void;
}

/**
 * Wraps the caller's request stream. Every message read is kept, and its serialized size counted
 * against `perCallBytes` and the channel's `perChannelBytes` (through `account`); past either bound
 * the input stops being replayable and its buffer is dropped as readers move on.
 *
 * @private
 */
export function createReplayInput<M extends DescMessage>(
  schema: M,
  source: AsyncIterable<MessageInitShape<M>>,
  account: ReplayAccount,
  perCallBytes: number,
  perChannelBytes: number,
): ReplayInput<MessageInitShape<M>> {
  type T = MessageInitShape<M>;
  const iterator = source[Symbol.asyncIterator]();
  let buffered: T[] = [];
  let base = 0; // index of buffered[0] in the stream
  let done = false;
  let failure: { error: unknown } | undefined;
  let pulling: Promise<void> | undefined;
  let bytes = 0;
  let keeping = true;
  let replayable = true;
  const positions = new Set<{ index: number }>();

  const stopKeeping = (): void => {
    if (!keeping) return;
    keeping = false;
    account.replayBytes -= bytes;
    bytes = 0;
  };
  const trim = (): void => {
    if (keeping) return;
    let lowest = base + buffered.length;
    for (const p of positions) lowest = Math.min(lowest, p.index);
    if (lowest > base) {
      buffered = buffered.slice(lowest - base);
      base = lowest;
    }
  };
  const pull = (): Promise<void> =>
    (pulling ??= iterator.next().then(
      (result) => {
        pulling = undefined;
        if (result.done === true) {
          done = true;
          return;
        }
        buffered.push(result.value);
        if (keeping) {
          const size = toBinary(schema, isMessage(result.value, schema) ? result.value : create(schema, result.value)).byteLength;
          bytes += size;
          account.replayBytes += size;
          if (bytes > perCallBytes || account.replayBytes > perChannelBytes) {
            replayable = false;
            stopKeeping();
          }
        }
      },
      (error: unknown) => {
        pulling = undefined;
        failure = { error };
      },
    ));

  return {
    get replayable() {
      return replayable;
    },
    reader() {
      const position = { index: 0 };
      positions.add(position);
      const close = (): void => {
        positions.delete(position);
        trim();
      };
      return {
        close,
        [Symbol.asyncIterator](): AsyncIterator<T> {
          return {
            async next(): Promise<IteratorResult<T>> {
              while (position.index >= base + buffered.length) {
                if (failure !== undefined) throw failure.error;
                if (done) {
                  positions.delete(position);
                  return { done: true, value: undefined };
                }
                await pull();
              }
              if (position.index < base) throw new Error("sluice: a replayed request message was already dropped");
              const value = buffered[position.index - base]!;
              position.index++;
              trim();
              return { done: false, value };
            },
            async return(): Promise<IteratorResult<T>> {
              close();
              return { done: true, value: undefined };
            },
            async throw(error?: unknown): Promise<IteratorResult<T>> {
              close();
              throw error;
            },
          };
        },
      };
    },
    release() {
      replayable = false;
      stopKeeping();
      trim();
    },
  };
}
