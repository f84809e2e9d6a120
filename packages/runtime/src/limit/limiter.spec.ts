import { createAimdLimit } from "./aimd-limit.js";
import { createFixedLimit } from "./fixed-limit.js";
import { createLimiter, type Token } from "./limiter.js";
import type { Schedule } from "./wait-queue.js";

/** A manual timer: `fire()` runs every pending callback. */
function manualSchedule(): { schedule: Schedule; fire(): void; pending(): number } {
  const timers = new Set<() => void>();
  return {
    schedule(callback) {
      timers.add(callback);
      return () => timers.delete(callback);
    },
    fire() {
      for (const t of [...timers]) {
        timers.delete(t);
        t();
      }
    },
    pending: () => timers.size,
  };
}

describe("createLimiter", () => {
  let time = 0;
  const now = () => time;
  beforeEach(() => {
    time = 0;
  });

  it("admits up to the limit, sheds beyond it and counts both", () => {
    const limiter = createLimiter({ algorithm: createFixedLimit({ limit: 2 }), now });
    const a = limiter.tryAcquire(undefined);
    const b = limiter.tryAcquire(undefined);
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(limiter.tryAcquire(undefined)).toBeUndefined();
    a!.success();
    a!.success(); // a second completion is ignored
    expect(limiter.inFlight).toBe(1);
    expect(limiter.tryAcquire(undefined)).toBeDefined();
    expect(limiter.stats()).toMatchObject({ algorithm: "fixed", limit: 2, inFlight: 2, shed: 1, admitted: 3, queued: 0 });
  });

  it("feeds the algorithm the measured RTT and the in-flight count at admission", () => {
    const samples: unknown[] = [];
    const algorithm = { name: "probe", limit: 10, onSample: (s: unknown) => samples.push(s) };
    const limiter = createLimiter({ algorithm, now });
    time = 5;
    const a = limiter.tryAcquire(undefined)!;
    limiter.tryAcquire(undefined)!.ignore();
    time = 17;
    a.success();
    const c = limiter.tryAcquire(undefined)!;
    c.dropped(3);
    expect(samples).toEqual([
      { startMs: 5, rttMs: 12, inFlight: 1, dropped: false },
      { startMs: 17, rttMs: 3, inFlight: 1, dropped: true },
    ]);
  });

  it("moves its limit with the algorithm", () => {
    const limiter = createLimiter({ algorithm: createAimdLimit({ minLimit: 1, initialLimit: 2 }), now });
    const tokens = [limiter.tryAcquire(undefined)!, limiter.tryAcquire(undefined)!];
    tokens.forEach((t) => t.success(1));
    expect(limiter.limit).toBe(4);
  });

  describe("partitions", () => {
    const shares = { interactive: 0.8, batch: 0.2 };
    const make = () =>
      createLimiter<string>({ algorithm: createFixedLimit({ limit: 10 }), partitions: { shares, partitionOf: (c) => c }, now });

    it("let a busy partition borrow idle capacity", () => {
      const limiter = make();
      const batch: Token[] = [];
      for (let i = 0; i < 10; i++) batch.push(limiter.tryAcquire("batch")!);
      expect(batch.every((t) => t !== undefined)).toBe(true);
      expect(limiter.tryAcquire("batch")).toBeUndefined();
    });

    it("hold each partition's guaranteed share under contention", () => {
      const limiter = make();
      // A batch client floods first and takes the whole limit …
      let batchAdmitted = 0;
      for (let i = 0; i < 100; i++) if (limiter.tryAcquire("batch") !== undefined) batchAdmitted++;
      expect(batchAdmitted).toBe(10);
      // … yet the interactive partition still gets its 8 guaranteed slots, and no more.
      let interactive = 0;
      for (let i = 0; i < 100; i++) if (limiter.tryAcquire("interactive") !== undefined) interactive++;
      expect(interactive).toBe(8);
      expect(limiter.stats().partitions).toEqual({
        interactive: { limit: 8, inFlight: 8 },
        batch: { limit: 2, inFlight: 10 },
        unknown: { limit: 1, inFlight: 0 },
      });
    });

    it("put calls naming no partition in `unknown`, guaranteed one slot", () => {
      const limiter = make();
      for (let i = 0; i < 10; i++) limiter.tryAcquire("interactive");
      expect(limiter.tryAcquire("other")).toBeDefined();
      expect(limiter.tryAcquire("other")).toBeUndefined();
    });

    it("reject shares outside (0, 1] or summing over 1, naming the field", () => {
      const algorithm = createFixedLimit({ limit: 1 });
      expect(() => createLimiter({ algorithm, now, partitions: { shares: { a: 0 }, partitionOf: () => "a" } })).toThrow(
        "partitions.shares.a: must be a number > 0 and <= 1, got 0",
      );
      expect(() => createLimiter({ algorithm, now, partitions: { shares: { a: 0.6, b: 0.6 }, partitionOf: () => "a" } })).toThrow(
        "partitions.shares: must sum to at most 1, got 1.2",
      );
    });
  });

  describe("wait queue", () => {
    it("hands a freed slot to the newest waiter first (LIFO)", async () => {
      const timers = manualSchedule();
      const limiter = createLimiter<string>({
        algorithm: createFixedLimit({ limit: 1 }),
        queue: { maxQueued: 2, timeoutMs: 100 },
        now,
        schedule: timers.schedule,
      });
      const holder = (await limiter.acquire("first"))!;
      const order: string[] = [];
      const older = limiter.acquire("older").then((t) => (order.push("older"), t));
      const newer = limiter.acquire("newer").then((t) => (order.push("newer"), t));
      expect(limiter.stats().queued).toBe(2);
      holder.success();
      (await newer)!.success();
      expect(await older).toBeDefined();
      expect(order).toEqual(["newer", "older"]);
    });

    it("serves waiters in arrival order with order: fifo", async () => {
      const limiter = createLimiter<string>({ algorithm: createFixedLimit({ limit: 1 }), queue: { maxQueued: 2, timeoutMs: 100, order: "fifo" }, now });
      const holder = (await limiter.acquire("x"))!;
      const order: string[] = [];
      const a = limiter.acquire("a").then((t) => (order.push("a"), t));
      const b = limiter.acquire("b").then((t) => (order.push("b"), t));
      holder.success();
      (await a)!.success();
      (await b)!.success();
      expect(order).toEqual(["a", "b"]);
    });

    it("is bounded: beyond maxQueued, and after the timeout, callers are refused and counted shed", async () => {
      const timers = manualSchedule();
      const limiter = createLimiter<string>({ algorithm: createFixedLimit({ limit: 1 }), queue: { maxQueued: 1, timeoutMs: 50 }, now, schedule: timers.schedule });
      await limiter.acquire("holder");
      const waiting = limiter.acquire("w");
      expect(await limiter.acquire("overflow")).toBeUndefined();
      timers.fire();
      expect(await waiting).toBeUndefined();
      expect(limiter.stats()).toMatchObject({ queued: 0, shed: 2, inFlight: 1 });
      expect(timers.pending()).toBe(0);
    });

    it("lets an aborted waiter go", async () => {
      const limiter = createLimiter({ algorithm: createFixedLimit({ limit: 1 }), queue: { maxQueued: 1, timeoutMs: 1000 }, now });
      await limiter.acquire(undefined);
      const controller = new AbortController();
      const waiting = limiter.acquire(undefined, controller.signal);
      controller.abort();
      expect(await waiting).toBeUndefined();
      expect(limiter.stats().queued).toBe(0);
    });

    it("rejects bad queue settings naming the field", () => {
      const algorithm = createFixedLimit({ limit: 1 });
      expect(() => createLimiter({ algorithm, now, queue: { maxQueued: -1, timeoutMs: 1 } })).toThrow("queue.maxQueued: must be an integer >= 0, got -1");
      expect(() => createLimiter({ algorithm, now, queue: { maxQueued: 1, timeoutMs: 0 } })).toThrow("queue.timeoutMs: must be a number > 0, got 0");
      expect(() => createLimiter({ algorithm, now, queue: { maxQueued: 1, timeoutMs: 1, order: "random" as never } })).toThrow('queue.order: must be "lifo" or "fifo"');
    });
  });
});
