// The request stream of a fast-path streaming call: enveloped messages read from the HTTP/2 stream
// into a small bounded queue (the stream is paused when it fills, so HTTP/2 flow control holds a fast
// client back) and handed to the handler as an AsyncIterable it pulls from.
import type { ServerHttp2Stream } from "node:http2";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { createEnvelopeParser, envelopeAt, flagCompressed, flagEndStream, type Envelope } from "../../transport/envelope.js";
import { parse, parseAt, type CodecOptions } from "../../transport/codec.js";
import { markUnreadRequest } from "../hardening/stream-guard.js";

/** Queued messages at which the HTTP/2 stream is paused. @private */
export const requestQueueMessages = 64;
/** Queued bytes at which the HTTP/2 stream is paused. @private */
export const requestQueueBytes = 256 * 1024;

/** Settings of {@link RequestMessages}. @private */
export interface RequestMessagesOptions extends CodecOptions {
  /** `"connect"` rejects a Connect end-of-stream envelope in a request. */
  readonly protocol: "grpc" | "connect";
  /** Called once when the request breaks the protocol or a limit: the call should fail with it at once. */
  readonly onProtocolError: (error: ConnectError) => void;
}

type Waiter<T> = { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void };

/**
 * The messages of one request stream. Iterate it once. While the handler does not pull, at most
 * {@link requestQueueMessages} messages or {@link requestQueueBytes} bytes wait here and node's own
 * buffer fills up to its high-water mark; then node stops acknowledging DATA and the client's
 * flow-control window closes.
 * @private
 */
export class RequestMessages<D extends DescMessage> implements AsyncIterable<MessageShape<D>>, AsyncIterator<MessageShape<D>> {
  private readonly queue: Envelope[] = [];
  private queuedBytes = 0;
  private ended = false;
  private error: unknown;
  private stopped = false;
  private waiter: Waiter<MessageShape<D>> | undefined;
  private unreadMarked = false;

  constructor(
    private readonly stream: ServerHttp2Stream,
    private readonly schema: D,
    private readonly options: RequestMessagesOptions,
  ) {
    const parser = createEnvelopeParser(options.readMaxBytes);
    /**
     * Takes one envelope: a pull waiting on an empty queue gets its message decoded in place (a
     * handler that keeps up, such as a ping-pong, never has one queued and tells the stall timer
     * nothing); any other is queued as a view of the chunk. Throws a protocol violation.
     */
    const onEnvelope = (flags: number, bytes: Uint8Array, offset: number, length: number): void => {
      this.check(flags);
      const waiter = this.waiter;
      if (waiter !== undefined && this.queue.length === 0) {
        // A malformed message throws here with the pull still waiting: the protocol error rejects it.
        const message = parseAt(this.schema, bytes, offset, length, this.options);
        this.waiter = undefined;
        waiter.resolve({ done: false, value: message });
        return;
      }
      this.queue.push(envelopeAt(flags, bytes, offset, length));
      this.queuedBytes += length;
    };
    stream.on("data", (chunk: Buffer) => {
      if (this.stopped || this.error !== undefined) return;
      try {
        parser.each(chunk, onEnvelope);
      } catch (error) {
        this.protocolError(ConnectError.from(error));
        return;
      }
      this.serve();
      if (this.queue.length > 0) this.markUnread(true);
      if (this.queue.length >= requestQueueMessages || this.queuedBytes >= requestQueueBytes) stream.pause();
    });
    stream.on("end", () => {
      this.ended = true;
      if (parser.pending > 0 && this.error === undefined && !this.stopped) {
        this.protocolError(new ConnectError(`protocol error: incomplete envelope (${parser.pending} bytes)`, Code.InvalidArgument));
        return;
      }
      this.serve();
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<MessageShape<D>> {
    return this;
  }

  /** Whether the client has sent its whole request. */
  get complete(): boolean {
    return this.ended;
  }

  next(): Promise<IteratorResult<MessageShape<D>>> {
    if (this.waiter !== undefined) return Promise.reject(new ConnectError("request stream read concurrently", Code.Internal));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.serve();
      if (this.waiter !== undefined && this.stream.isPaused()) this.stream.resume();
    });
  }

  /** The handler stopped reading: later messages are discarded and the stream is no longer read. */
  return(): Promise<IteratorResult<MessageShape<D>>> {
    this.stop();
    return Promise.resolve({ done: true, value: undefined });
  }

  /** Ends the iteration with `reason` (the call was cancelled or failed); a pending pull rejects. */
  fail(reason: unknown): void {
    if (this.error !== undefined) return;
    this.error = reason;
    this.drop();
    this.serve();
  }

  /** Stops reading without an error (the call is over). */
  stop(): void {
    this.stopped = true;
    this.drop();
    this.serve();
  }

  /**
   * The call is over: whatever the client still sends is read and dropped, so node can end and
   * destroy the stream (it waits for a paused stream's buffer to be consumed).
   */
  discard(): void {
    this.stopped = true;
    this.drop();
    this.serve();
    this.stream.resume();
  }

  private check(flags: number): void {
    if ((flags & flagCompressed) !== 0) {
      throw new ConnectError("received compressed envelope, but do not know how to decompress", Code.Internal);
    }
    if (this.options.protocol === "connect" && (flags & flagEndStream) !== 0) {
      throw new ConnectError("protocol error: unexpected end-of-stream envelope in a request", Code.InvalidArgument);
    }
  }

  private protocolError(error: ConnectError): void {
    this.fail(error);
    this.options.onProtocolError(error);
  }

  private drop(): void {
    // Unread request bytes now stay in node's buffer, so flow control holds the client back.
    this.stream.pause();
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.markUnread(false);
  }

  /** Tells the stall timer whether received messages wait unread here, when that changes. */
  private markUnread(waiting: boolean): void {
    if (waiting === this.unreadMarked) return;
    this.unreadMarked = waiting;
    markUnreadRequest(this.stream, waiting);
  }

  /** Answers a pending pull if there is something to answer it with. */
  private serve(): void {
    const waiter = this.waiter;
    if (waiter === undefined) return;
    const envelope = this.queue.shift();
    if (envelope !== undefined) {
      this.waiter = undefined;
      this.queuedBytes -= envelope.data.byteLength;
      if (this.queue.length === 0) {
        this.markUnread(false);
        if (this.stream.isPaused() && !this.stopped) this.stream.resume();
      }
      let message: MessageShape<D>;
      try {
        message = parse(this.schema, envelope.data, this.options);
      } catch (error) {
        waiter.reject(error);
        this.protocolError(ConnectError.from(error));
        return;
      }
      waiter.resolve({ done: false, value: message });
      return;
    }
    if (this.error !== undefined) {
      this.waiter = undefined;
      waiter.reject(this.error);
    } else if (this.ended || this.stopped) {
      this.waiter = undefined;
      waiter.resolve({ done: true, value: undefined });
    }
  }
}

/**
 * The one message of a server-streaming request, with Connect's codes: none or a second one is
 * UNIMPLEMENTED.
 * @private
 */
export async function singleMessage<T>(messages: AsyncIterable<T>): Promise<T> {
  const it = messages[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done === true) {
    throw new ConnectError("protocol error: missing input message for server-streaming method", Code.Unimplemented);
  }
  const second = await it.next();
  if (second.done !== true) {
    throw new ConnectError("protocol error: received extra input message for server-streaming method", Code.Unimplemented);
  }
  return first.value;
}
