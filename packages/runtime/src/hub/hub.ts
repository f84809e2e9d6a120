// The event fan-out hub: application code publishes keyed events, any number of subscribers
// (streaming calls) read them, each through its own bounded queue; optional bounded replay.
import { Code, ConnectError } from "@connectrpc/connect";
import { RingQueue } from "../call/ring-queue.js";
import { notReady, takeReady, type ReadySource } from "../call/ready-values.js";
import { markPublished } from "./shared-encoding.js";
import { resolveLimits, resolveReplaySize, type HubOptions, type ResolvedLimits, type SubscriberLimits } from "./hub-options.js";

/** One published event. */
export interface HubEvent<T> {
  /** The hub-wide sequence number: 1 for the first event, one more for each event after it. */
  readonly seq: number;
  readonly key: string;
  readonly value: T;
  /** When it was published, by the hub's clock (ms). */
  readonly at: number;
}

/** Options of {@link Hub.subscribe}. */
export interface SubscribeOptions extends SubscriberLimits {
  /** Only events with these keys (more can be added with `watch`); omitted: every event. */
  readonly keys?: Iterable<string>;
  /**
   * Resume: first deliver the events published after this sequence number (from the replay
   * buffer), then live ones. Fails with OUT_OF_RANGE when the buffer no longer holds them all.
   */
  readonly afterSeq?: number;
  /** Closes the subscription when it aborts (pass a handler's `context.signal`). */
  readonly signal?: AbortSignal;
}

/** A subscriber's view of the hub: a bounded queue of events, readable as an AsyncIterable. */
export interface HubSubscription<T> extends AsyncIterable<HubEvent<T>> {
  /** Removes and returns the oldest queued event, or undefined when none is queued. */
  take(): HubEvent<T> | undefined;
  /** Events queued and not read yet (never more than the queue size). */
  readonly queued: number;
  /** Events this subscriber lost to the drop-oldest policy. */
  readonly dropped: number;
  /** True once no more events will be queued (closed, hub closed, or ended as a slow consumer). */
  readonly closed: boolean;
  /** Why the subscription ended, when it did not end by `close()`: RESOURCE_EXHAUSTED for a slow consumer. */
  readonly error: ConnectError | undefined;
  /** Also receive events with `key` (no-op for a subscription to every key). */
  watch(key: string): void;
  /** Stop receiving events with `key` (no-op for a subscription to every key). */
  unwatch(key: string): void;
  /** Sets the one function called when an event is queued or the subscription ends (undefined: none). */
  onReadable(listener: (() => void) | undefined): void;
  /**
   * The events as `project` maps them, as a response stream a streaming handler can return as it is
   * (`return subscription.map((e) => e.value)`): it ends when the subscription does (throwing its
   * `error`), and ending it early (the call cancelled) closes the subscription. On serve()'s fast
   * path every queued event is sent in one batch — one buffer, one write — and a published value
   * sent as it is (not copied by `project`) is serialized once for all subscribers. Like iterating
   * the subscription, it is for one reader at a time.
   */
  map<U>(project: (event: HubEvent<T>) => U): AsyncIterable<U>;
  /** Unsubscribes and drops what is queued; an iteration in progress ends. */
  close(): void;
}

/** Counters of a hub. */
export interface HubStats {
  readonly subscribers: number;
  readonly published: number;
  /** Events put into subscribers' queues (each subscriber counts once per event). */
  readonly delivered: number;
  /** Events lost to drop-oldest, over every subscriber. */
  readonly dropped: number;
  /** Subscribers ended for being too slow. */
  readonly slowConsumersEnded: number;
}

/** An event fan-out hub; publishing never blocks and never grows memory past the configured bounds. */
export interface Hub<T> {
  /** Publishes `value` under `key` to every subscriber that wants it; returns its sequence number. */
  publish(key: string, value: T): number;
  /** Adds a subscriber. @throws ConnectError OUT_OF_RANGE when `afterSeq` cannot be replayed. */
  subscribe(options?: SubscribeOptions): HubSubscription<T>;
  /** The sequence number of the last published event (0 before the first). */
  readonly lastSeq: number;
  stats(): HubStats;
  /** Ends every subscription (each reads what is queued, then completes); publishing after it throws. */
  close(): void;
}

/**
 * Creates a hub. Each subscriber has a bounded queue; when it is full, `slowConsumer` decides:
 * drop the subscriber's oldest event, or end that subscriber with RESOURCE_EXHAUSTED. With
 * `replaySize` > 0, the last events are kept so a subscriber can resume from the last sequence
 * number it saw.
 *
 * @example
 * ```ts
 * const hub = createHub<StockLevel>({ queueSize: 256, slowConsumer: "end", replaySize: 10_000 });
 * hub.publish("sku-1", level);
 * for await (const event of hub.subscribe({ keys: ["sku-1"] })) send(event.value);
 * ```
 */
export function createHub<T>(options: HubOptions = {}): Hub<T> {
  const defaults = resolveLimits(options, { queueSize: 1024, slowConsumer: "end" }, "");
  const replaySize = resolveReplaySize(options.replaySize);
  const now = options.now ?? Date.now;
  const replay = replaySize > 0 ? new RingQueue<HubEvent<T>>(replaySize) : undefined;
  const everyKey = new Set<Subscriber<T>>();
  const byKey = new Map<string, Set<Subscriber<T>>>();
  const counters = { subscribers: 0, published: 0, delivered: 0, dropped: 0, slowConsumersEnded: 0 };
  let lastSeq = 0;
  let hubClosed = false;

  const index = {
    add(key: string, subscriber: Subscriber<T>): void {
      let set = byKey.get(key);
      if (set === undefined) byKey.set(key, (set = new Set()));
      set.add(subscriber);
    },
    remove(key: string, subscriber: Subscriber<T>): void {
      const set = byKey.get(key);
      if (set === undefined) return;
      set.delete(subscriber);
      if (set.size === 0) byKey.delete(key);
    },
    detach(subscriber: Subscriber<T>): void {
      if (subscriber.keys === undefined) everyKey.delete(subscriber);
      else for (const key of subscriber.keys) index.remove(key, subscriber);
      counters.subscribers--;
    },
  };

  const offer = (subscriber: Subscriber<T>, event: HubEvent<T>): void => {
    if (subscriber.offer(event)) counters.delivered++;
  };

  return {
    publish(key, value) {
      if (hubClosed) throw new Error("publish: the hub is closed");
      const event: HubEvent<T> = { seq: ++lastSeq, key, value, at: now() };
      counters.published++;
      markPublished(value);
      if (replay !== undefined) {
        if (replay.full) replay.shift();
        replay.push(event);
      }
      for (const subscriber of everyKey) offer(subscriber, event);
      const keyed = byKey.get(key);
      if (keyed !== undefined) for (const subscriber of keyed) offer(subscriber, event);
      return event.seq;
    },
    subscribe(subscribeOptions = {}) {
      const limits = resolveLimits(subscribeOptions, defaults, "subscribe: ");
      const missed = subscribeOptions.afterSeq === undefined ? [] : replayAfter(subscribeOptions.afterSeq);
      const keys = subscribeOptions.keys === undefined ? undefined : new Set(subscribeOptions.keys);
      const subscriber = new Subscriber<T>(limits, keys, index, counters);
      counters.subscribers++;
      if (keys === undefined) everyKey.add(subscriber);
      else for (const key of keys) index.add(key, subscriber);
      for (const event of missed) if (keys === undefined || keys.has(event.key)) offer(subscriber, event);
      if (hubClosed) subscriber.end(undefined);
      if (subscribeOptions.signal !== undefined) subscriber.follow(subscribeOptions.signal);
      return subscriber;
    },
    get lastSeq() {
      return lastSeq;
    },
    stats() {
      return { ...counters };
    },
    close() {
      hubClosed = true;
      for (const subscriber of [...everyKey]) subscriber.end(undefined);
      for (const set of [...byKey.values()]) for (const subscriber of [...set]) subscriber.end(undefined);
    },
  };

  function replayAfter(afterSeq: number): HubEvent<T>[] {
    if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) {
      throw new ConnectError(`afterSeq: must be a non-negative integer, got ${String(afterSeq)}`, Code.InvalidArgument);
    }
    if (afterSeq > lastSeq) {
      throw new ConnectError(`cannot resume after seq ${afterSeq}: the hub's last event is seq ${lastSeq}`, Code.OutOfRange);
    }
    if (afterSeq === lastSeq) return [];
    const oldest = replay?.at(0)?.seq;
    if (replay === undefined || oldest === undefined || oldest > afterSeq + 1) {
      throw new ConnectError(
        replay === undefined
          ? `cannot resume after seq ${afterSeq}: this hub keeps no replay buffer (replaySize 0)`
          : `cannot resume after seq ${afterSeq}: the replay buffer holds seq ${oldest ?? lastSeq + 1} to ${lastSeq} (replaySize ${replaySize})`,
        Code.OutOfRange,
      );
    }
    const missed: HubEvent<T>[] = [];
    for (let i = afterSeq + 1 - oldest; i < replay.length; i++) missed.push(replay.at(i)!);
    return missed;
  }
}

interface HubIndex<T> {
  add(key: string, subscriber: Subscriber<T>): void;
  remove(key: string, subscriber: Subscriber<T>): void;
  detach(subscriber: Subscriber<T>): void;
}

/** One subscriber: its queue, its keys and its policy. */
class Subscriber<T> implements HubSubscription<T> {
  private readonly queue: RingQueue<HubEvent<T>>;
  private listener: (() => void) | undefined;
  private lost = 0;
  private over = false;
  private failure: ConnectError | undefined;
  private unfollow: (() => void) | undefined;

  constructor(
    private readonly limits: ResolvedLimits,
    readonly keys: Set<string> | undefined,
    private readonly index: HubIndex<T>,
    private readonly counters: { dropped: number; slowConsumersEnded: number },
  ) {
    this.queue = new RingQueue(limits.queueSize);
  }

  get queued(): number {
    return this.queue.length;
  }
  get dropped(): number {
    return this.lost;
  }
  get closed(): boolean {
    return this.over;
  }
  get error(): ConnectError | undefined {
    return this.failure;
  }

  /** Queues `event` under the subscriber's policy; returns whether it was queued. */
  offer(event: HubEvent<T>): boolean {
    if (this.over) return false;
    if (!this.queue.full) {
      this.queue.push(event);
    } else if (this.limits.slowConsumer === "drop-oldest") {
      this.queue.shift();
      this.queue.push(event);
      this.lost++;
      this.counters.dropped++;
    } else {
      this.counters.slowConsumersEnded++;
      this.end(
        new ConnectError(
          `slow consumer: ${this.limits.queueSize} events were queued and unread when seq ${event.seq} arrived ` +
            `(slow-consumer policy "end"); resume after the last seq read`,
          Code.ResourceExhausted,
        ),
      );
      return false;
    }
    this.listener?.();
    return true;
  }

  /** No more events: `error` (if any) is raised after the queued events are read. */
  end(error: ConnectError | undefined): void {
    if (this.over) return;
    this.over = true;
    this.failure = error;
    this.index.detach(this);
    this.unfollow?.();
    this.unfollow = undefined;
    this.listener?.();
  }

  /** Closes the subscription when `signal` aborts; the listener goes when the subscription ends. */
  follow(signal: AbortSignal): void {
    if (this.over) return;
    if (signal.aborted) return this.close();
    const onAbort = (): void => this.close();
    signal.addEventListener("abort", onAbort, { once: true });
    this.unfollow = () => signal.removeEventListener("abort", onAbort);
  }

  take(): HubEvent<T> | undefined {
    return this.queue.shift();
  }

  watch(key: string): void {
    if (this.keys === undefined || this.over || this.keys.has(key)) return;
    this.keys.add(key);
    this.index.add(key, this);
  }

  unwatch(key: string): void {
    if (this.keys === undefined || !this.keys.delete(key) || this.over) return;
    this.index.remove(key, this);
  }

  onReadable(listener: (() => void) | undefined): void {
    this.listener = listener;
  }

  close(): void {
    this.queue.clear();
    this.end(undefined);
  }

  map<U>(project: (event: HubEvent<T>) => U): AsyncIterable<U> {
    return { [Symbol.asyncIterator]: () => new EventReader(this, project) };
  }

  [Symbol.asyncIterator](): AsyncIterator<HubEvent<T>> {
    return new EventReader(this, (event) => event);
  }
}

/** Reads a subscription's events through `project`: waits for events, and hands over queued ones at once. */
class EventReader<T, U> implements AsyncIterator<U>, ReadySource {
  constructor(
    private readonly subscription: Subscriber<T>,
    private readonly project: (event: HubEvent<T>) => U,
  ) {}

  next(): Promise<IteratorResult<U>> {
    const subscription = this.subscription;
    const event = subscription.take();
    if (event !== undefined) return this.resolved(event);
    if (subscription.closed) return this.ended();
    return new Promise<IteratorResult<U>>((resolve, reject) => {
      subscription.onReadable(() => {
        const next = subscription.take();
        if (next !== undefined) {
          subscription.onReadable(undefined);
          this.resolved(next).then(resolve, reject);
        } else if (subscription.closed) {
          subscription.onReadable(undefined);
          this.ended().then(resolve, reject);
        }
      });
    });
  }

  return(value?: unknown): Promise<IteratorResult<U>> {
    this.subscription.close();
    return Promise.resolve({ done: true, value: value as U });
  }

  [takeReady](): unknown {
    const event = this.subscription.take();
    return event === undefined ? notReady : this.project(event);
  }

  private resolved(event: HubEvent<T>): Promise<IteratorResult<U>> {
    try {
      return Promise.resolve({ done: false, value: this.project(event) });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private ended(): Promise<IteratorResult<U>> {
    const failure = this.subscription.error;
    return failure !== undefined ? Promise.reject(failure) : Promise.resolve({ done: true, value: undefined });
  }
}
