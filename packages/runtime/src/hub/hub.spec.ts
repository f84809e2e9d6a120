import { Code, ConnectError } from "@connectrpc/connect";
import { notReady, readySourceOf, takeReady } from "../call/ready-values.js";
import { createHub, type HubEvent } from "./hub.js";

const seqs = (events: readonly (HubEvent<unknown> | undefined)[]): (number | undefined)[] => events.map((e) => e?.seq);

function drain<T>(subscription: { take(): HubEvent<T> | undefined }): HubEvent<T>[] {
  const out: HubEvent<T>[] = [];
  for (let e = subscription.take(); e !== undefined; e = subscription.take()) out.push(e);
  return out;
}

describe("createHub", () => {
  it("numbers events from 1, stamps them with the injected clock and delivers them in order", () => {
    let t = 1000;
    const hub = createHub<string>({ now: () => t++ });
    const all = hub.subscribe();
    expect(hub.publish("a", "x")).toBe(1);
    expect(hub.publish("b", "y")).toBe(2);
    expect(drain(all)).toEqual([
      { seq: 1, key: "a", value: "x", at: 1000 },
      { seq: 2, key: "b", value: "y", at: 1001 },
    ]);
    expect(hub.lastSeq).toBe(2);
  });

  it("delivers only the watched keys to a keyed subscriber, as keys are added and removed", () => {
    const hub = createHub<number>();
    const keyed = hub.subscribe({ keys: ["a"] });
    hub.publish("a", 1);
    hub.publish("b", 2);
    keyed.watch("b");
    hub.publish("b", 3);
    keyed.unwatch("a");
    hub.publish("a", 4);
    expect(drain(keyed).map((e) => e.value)).toEqual([1, 3]);
  });

  it('drops a slow subscriber\'s oldest events under "drop-oldest", never holding more than its queue', () => {
    const hub = createHub<number>({ queueSize: 3, slowConsumer: "drop-oldest" });
    const slow = hub.subscribe();
    for (let i = 0; i < 5; i++) hub.publish("k", i);
    expect(slow.queued).toBe(3);
    expect(slow.dropped).toBe(2);
    expect(seqs(drain(slow))).toEqual([3, 4, 5]);
    expect(hub.stats().dropped).toBe(2);
  });

  it('ends a slow subscriber with RESOURCE_EXHAUSTED under "end", after what it had queued', () => {
    const hub = createHub<number>({ queueSize: 2, slowConsumer: "end" });
    const slow = hub.subscribe();
    const fast = hub.subscribe();
    for (let i = 0; i < 4; i++) {
      hub.publish("k", i);
      drain(fast);
    }
    expect(slow.closed).toBe(true);
    expect(slow.error).toBeInstanceOf(ConnectError);
    expect(slow.error?.code).toBe(Code.ResourceExhausted);
    expect(slow.error?.rawMessage).toContain('slow consumer: 2 events were queued and unread when seq 3 arrived (slow-consumer policy "end")');
    expect(seqs(drain(slow))).toEqual([1, 2]);
    expect(hub.stats()).toMatchObject({ subscribers: 1, slowConsumersEnded: 1, published: 4 });
    expect(fast.closed).toBe(false);
  });

  it("keeps delivering every event to 1,000 subscribers while one of them is stalled", () => {
    const hub = createHub<number>({ queueSize: 64, slowConsumer: "drop-oldest" });
    const stalled = hub.subscribe();
    const others = Array.from({ length: 999 }, () => hub.subscribe());
    const received = new Array<number>(others.length).fill(0);
    for (let round = 0; round < 100; round++) {
      for (let i = 0; i < 50; i++) hub.publish(`k${i % 7}`, i);
      others.forEach((s, j) => (received[j] += drain(s).length));
    }
    expect(received.every((n) => n === 5000)).toBe(true);
    expect(stalled.queued).toBe(64);
    expect(stalled.dropped).toBe(5000 - 64);
  });

  it("replays what a resuming subscriber missed from the buffer, then live events", () => {
    const hub = createHub<number>({ replaySize: 5 });
    for (let i = 1; i <= 10; i++) hub.publish(i % 2 === 0 ? "even" : "odd", i);
    const resumed = hub.subscribe({ afterSeq: 7 });
    hub.publish("odd", 11);
    expect(seqs(drain(resumed))).toEqual([8, 9, 10, 11]);
    const evens = hub.subscribe({ afterSeq: 6, keys: ["even"] });
    expect(seqs(drain(evens))).toEqual([8, 10]);
    expect(drain(hub.subscribe({ afterSeq: 11 }))).toEqual([]);
  });

  it("refuses with OUT_OF_RANGE to resume from a seq the buffer no longer holds, or one not yet published", () => {
    const hub = createHub<number>({ replaySize: 5 });
    for (let i = 1; i <= 10; i++) hub.publish("k", i);
    expect(() => hub.subscribe({ afterSeq: 4 })).toThrow("cannot resume after seq 4: the replay buffer holds seq 6 to 10 (replaySize 5)");
    expect(() => hub.subscribe({ afterSeq: 4 })).toThrow(expect.objectContaining({ code: Code.OutOfRange }) as Error);
    expect(() => hub.subscribe({ afterSeq: 5 })).not.toThrow();
    expect(() => hub.subscribe({ afterSeq: 12 })).toThrow("cannot resume after seq 12: the hub's last event is seq 10");
    expect(() => createHub<number>().subscribe({ afterSeq: 0 })).not.toThrow();
    const noReplay = createHub<number>();
    noReplay.publish("k", 1);
    expect(() => noReplay.subscribe({ afterSeq: 0 })).toThrow("this hub keeps no replay buffer (replaySize 0)");
  });

  it("is readable with for-await: waits for events, and return() unsubscribes", async () => {
    const hub = createHub<number>();
    const subscription = hub.subscribe({ keys: ["k"] });
    const seen: number[] = [];
    const reading = (async () => {
      for await (const event of subscription) {
        seen.push(event.value);
        if (seen.length === 3) break;
      }
    })();
    for (let i = 0; i < 3; i++) {
      await Promise.resolve();
      hub.publish("k", i);
    }
    await reading;
    expect(seen).toEqual([0, 1, 2]);
    expect(hub.stats().subscribers).toBe(0);
  });

  it("a for-await over an ended slow subscriber reads its queue, then throws RESOURCE_EXHAUSTED", async () => {
    const hub = createHub<number>({ queueSize: 1 });
    const subscription = hub.subscribe();
    hub.publish("k", 1);
    hub.publish("k", 2);
    const seen: number[] = [];
    const error = await (async () => {
      for await (const event of subscription) seen.push(event.value);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([1]);
    expect((error as ConnectError).code).toBe(Code.ResourceExhausted);
  });

  it("closes a subscription when its signal aborts, ending a pending for-await", async () => {
    const hub = createHub<number>();
    const controller = new AbortController();
    const subscription = hub.subscribe({ signal: controller.signal });
    const reading = (async () => {
      for await (const _ of subscription);
      return "ended";
    })();
    controller.abort();
    expect(await reading).toBe("ended");
    expect(hub.stats().subscribers).toBe(0);
  });

  it("close() completes every subscription after its queue and refuses further publishing", async () => {
    const hub = createHub<number>();
    const a = hub.subscribe();
    hub.publish("k", 1);
    hub.close();
    const seen: number[] = [];
    for await (const event of a) seen.push(event.value);
    expect(seen).toEqual([1]);
    expect(() => hub.publish("k", 2)).toThrow("publish: the hub is closed");
    expect(hub.stats().subscribers).toBe(0);
  });

  it("map() reads events through the projection in order, and hands queued ones over without waiting", async () => {
    const hub = createHub<number>();
    const subscription = hub.subscribe();
    const reader = subscription.map((event) => `${event.seq}:${event.value}`)[Symbol.asyncIterator]();
    for (let i = 0; i < 4; i++) hub.publish("k", i * 10);
    expect(await reader.next()).toEqual({ done: false, value: "1:0" });
    const ready = readySourceOf(reader)!;
    expect([ready[takeReady](), ready[takeReady](), ready[takeReady]()]).toEqual(["2:10", "3:20", "4:30"]);
    expect(ready[takeReady]()).toBe(notReady);
    expect(subscription.queued).toBe(0);
    const waiting = reader.next();
    hub.publish("k", 50);
    expect(await waiting).toEqual({ done: false, value: "5:50" });
    hub.close();
    expect(await reader.next()).toEqual({ done: true, value: undefined });
  });

  it("map()'s return() closes the subscription and frees its queue", async () => {
    const hub = createHub<number>({ queueSize: 8 });
    const subscription = hub.subscribe();
    const reader = subscription.map((event) => event.value)[Symbol.asyncIterator]();
    for (let i = 0; i < 5; i++) hub.publish("k", i);
    expect(await reader.next()).toEqual({ done: false, value: 0 });
    await reader.return!();
    expect(subscription.closed).toBe(true);
    expect(subscription.queued).toBe(0);
    expect(hub.stats().subscribers).toBe(0);
    expect(readySourceOf(reader)![takeReady]()).toBe(notReady);
  });

  it("map() of an ended slow subscriber yields its queue, then throws RESOURCE_EXHAUSTED; a throwing projection fails the read", async () => {
    const hub = createHub<number>({ queueSize: 2, slowConsumer: "end" });
    const subscription = hub.subscribe();
    for (let i = 0; i < 3; i++) hub.publish("k", i);
    const seen: number[] = [];
    const error = await (async () => {
      for await (const value of subscription.map((event) => event.value)) seen.push(value);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([0, 1]);
    expect((error as ConnectError).code).toBe(Code.ResourceExhausted);
    const other = hub.subscribe();
    hub.publish("k", 3);
    const failing = other.map(() => {
      throw new Error("bad projection");
    })[Symbol.asyncIterator]();
    await expect(failing.next()).rejects.toThrow("bad projection");
  });

  it("map() ends a pending read when the subscription's signal aborts", async () => {
    const hub = createHub<number>();
    const controller = new AbortController();
    const reader = hub.subscribe({ signal: controller.signal }).map((event) => event.value)[Symbol.asyncIterator]();
    const waiting = reader.next();
    controller.abort();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(hub.stats().subscribers).toBe(0);
  });

  it("rejects a bad configuration, naming the field and the accepted values", () => {
    expect(() => createHub({ queueSize: 0 })).toThrow("queueSize: must be a positive integer, got 0");
    expect(() => createHub({ slowConsumer: "block" as never })).toThrow('slowConsumer: must be one of "drop-oldest", "end", got "block"');
    expect(() => createHub({ replaySize: -1 })).toThrow("replaySize: must be a non-negative integer, got -1");
    expect(() => createHub().subscribe({ queueSize: 1.5 })).toThrow("subscribe: queueSize: must be a positive integer, got 1.5");
  });
});
