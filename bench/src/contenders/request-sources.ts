// Request streams of the stream scenario's client-streaming and bidi calls, as AsyncIterables:
// a pipelined run of messages, and a ping-pong that sends the next message only once answered.

/** `count` times `message`, each yielded when the transport pulls the next one. */
export async function* repeatMessage<T>(message: T, count: number): AsyncGenerator<T> {
  for (let i = 0; i < count; i++) yield message;
}

/** A ping-pong request stream and the call the reader makes on each answer. */
export interface PingPong<T> {
  /** Yields `count` messages, each only after the answer to the one before it (one in flight). */
  readonly requests: AsyncIterable<T>;
  /** The reader received an answer: the next request may go. */
  answered(): void;
}

/** Creates a ping-pong request stream of `count` times `message`. */
export function pingPong<T>(message: T, count: number): PingPong<T> {
  let credits = 1;
  let release: (() => void) | undefined;
  async function* requests(): AsyncGenerator<T> {
    for (let i = 0; i < count; i++) {
      if (credits === 0) await new Promise<void>((resolve) => (release = resolve));
      credits--;
      yield message;
    }
  }
  return {
    requests: requests(),
    answered() {
      credits++;
      release?.();
      release = undefined;
    },
  };
}
