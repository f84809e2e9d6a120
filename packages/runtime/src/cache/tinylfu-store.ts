// W-TinyLFU as Caffeine builds it: a 1 % LRU admission window in front of a segmented LRU main area
// (80 % protected, 20 % probation), a frequency sketch deciding admission, and an adaptive window.
import type { CacheStore, StoreOptions } from "./cache-store.js";
import { BoundedStore, type StoreEntry } from "./bounded-store.js";
import { FrequencySketch, hashKey } from "./frequency-sketch.js";
import { LinkedList } from "./linked-list.js";
import { createMiniatureClimber } from "./miniature-climber.js";
import { createFixedWindow, createHillClimber, type WindowClimber } from "./window-climber.js";

const WINDOW = 1;
const PROBATION = 2;
const PROTECTED = 3;
/** Share of the maximum given to the main area at first (Caffeine: 99 %). */
const PERCENT_MAIN = 0.99;
/** Share of the main area that is protected (Caffeine: 80 %). */
const PERCENT_PROTECTED = 0.8;
/** A candidate at least this warm may win against a hotter victim at random (Caffeine: 6). */
const HASH_FLOODING_THRESHOLD = 6;
/** Most entries moved per window resize (Caffeine: 1000). */
const TRANSFER_LIMIT = 1000;

/** Options of a W-TinyLFU store. */
export interface TinyLfuOptions<K, V> extends StoreOptions<K, V> {
  /**
   * How the window adapts: `"miniature"` (default), Sluice's miniature simulations; `"caffeine"`,
   * Caffeine's hill climber; `"fixed"`, never.
   */
  readonly climber?: "miniature" | "caffeine" | "fixed";
  /** Initial window share of the maximum, in (0, 1); default 0.01 as in Caffeine. */
  readonly windowShare?: number;
  /** Hashes a key to 32 bits; default: FNV-1a of strings, integer mixing of numbers. */
  readonly hash?: (key: K, seed: number) => number;
}

/** What tests and the bench may read of a W-TinyLFU store's state. */
export interface TinyLfuStore<K, V> extends CacheStore<K, V> {
  /** Current window maximum, in weight units. */
  readonly windowMaximum: number;
  /** Current protected-segment maximum, in weight units. */
  readonly protectedMaximum: number;
  /** Which region holds `key`, if any. */
  regionOf(key: K): "window" | "probation" | "protected" | undefined;
  /** The sketch's frequency estimate of `key` (0 while the sketch is off). */
  frequency(key: K): number;
}

class WTinyLfuStore<K, V> extends BoundedStore<K, V> implements TinyLfuStore<K, V> {
  readonly policy: string;
  private readonly window = new LinkedList<StoreEntry<K, V>>();
  private readonly probation = new LinkedList<StoreEntry<K, V>>();
  private readonly protectedQueue = new LinkedList<StoreEntry<K, V>>();
  /** Weights are entries when `maxEntries` is set, bytes otherwise. */
  private readonly unitWeights: boolean;
  private readonly maximum: number;
  private readonly sketchCapacity: number;
  private sketch: FrequencySketch | undefined;
  private readonly climber: WindowClimber<K>;
  private readonly random: () => number;
  private readonly hash: (key: K, seed: number) => number;
  private readonly seed: number;
  windowMaximum: number;
  protectedMaximum: number;
  private windowWeight = 0;
  private protectedWeight = 0;
  private weightTotal = 0;
  private missedKey: K | undefined = undefined;
  private missedHash = 0;

  constructor(options: TinyLfuOptions<K, V>) {
    super(options);
    const climber = options.climber ?? "miniature";
    if (!["miniature", "caffeine", "fixed"].includes(climber)) {
      throw new Error(`climber: must be "miniature", "caffeine" or "fixed", got ${String(climber)}`);
    }
    const share = options.windowShare ?? 1 - PERCENT_MAIN;
    if (!(share > 0 && share < 1)) throw new Error(`windowShare: must be in (0, 1), got ${String(share)}`);
    this.policy = climber === "miniature" ? "tinylfu" : `tinylfu-${climber}`;
    this.random = options.random ?? Math.random;
    this.hash = options.hash ?? hashKey;
    this.seed = Math.floor(this.random() * 0x100000000) | 0;
    this.unitWeights = this.maxEntries > 0;
    this.maximum = this.unitWeights ? this.maxEntries : this.maxBytes;
    // With a byte bound only, the sketch is sized for entries of at least 64 bytes, capped at 2^20.
    this.sketchCapacity = this.unitWeights ? this.maxEntries : Math.min(2 ** 20, Math.max(16, Math.ceil(this.maxBytes / 64)));
    this.windowMaximum = this.maximum - Math.floor((1 - share) * this.maximum);
    this.protectedMaximum = Math.floor(PERCENT_PROTECTED * (this.maximum - this.windowMaximum));
    const random = this.random;
    this.climber =
      climber === "caffeine"
        ? createHillClimber<K>(this.maximum, 10 * this.sketchCapacity)
        : climber === "fixed"
          ? createFixedWindow<K>()
          : createMiniatureClimber<K>(this.maximum, this.sketchCapacity, (capacity, windowShare) =>
              createTinyLfuStore<K, true>({ maxEntries: capacity, maxBytes: 0, now: () => 0, climber: "fixed", windowShare, random, hash: this.hash }),
            );
  }

  regionOf(key: K): "window" | "probation" | "protected" | undefined {
    const queue = this.map.get(key)?.queue;
    return queue === WINDOW ? "window" : queue === PROBATION ? "probation" : queue === PROTECTED ? "protected" : undefined;
  }

  frequency(key: K): number {
    return this.sketch?.frequency(this.hash(key, this.seed)) ?? 0;
  }

  protected override missed(key: K): void {
    const hash = this.hash(key, this.seed);
    this.missedKey = key;
    this.missedHash = hash;
    this.climb(key, hash, false);
  }

  protected admit(entry: StoreEntry<K, V>): void {
    // A set usually follows the get that missed: reuse that hash.
    const hash = entry.key === this.missedKey ? this.missedHash : this.hash(entry.key, this.seed);
    entry.hash = hash;
    this.sketch?.increment(hash);
    entry.queue = WINDOW;
    this.window.push(entry);
    const weight = this.weigh(entry.size);
    this.windowWeight += weight;
    this.weightTotal += weight;
  }

  protected override resized(entry: StoreEntry<K, V>, oldSize: number): void {
    const delta = this.weigh(entry.size) - this.weigh(oldSize);
    this.weightTotal += delta;
    if (entry.queue === WINDOW) this.windowWeight += delta;
    else if (entry.queue === PROTECTED) this.protectedWeight += delta;
  }

  protected touched(entry: StoreEntry<K, V>, read: boolean): void {
    this.sketch?.increment(entry.hash);
    if (entry.queue === WINDOW) this.window.touch(entry);
    else if (entry.queue === PROTECTED) this.protectedQueue.touch(entry);
    else {
      this.probation.remove(entry);
      entry.queue = PROTECTED;
      this.protectedQueue.push(entry);
      this.protectedWeight += this.weigh(entry.size);
      this.demoteFromProtected();
    }
    if (read) this.climb(entry.key, entry.hash, true);
  }

  protected unlink(entry: StoreEntry<K, V>): void {
    const weight = this.weigh(entry.size);
    this.weightTotal -= weight;
    if (entry.queue === WINDOW) {
      this.window.remove(entry);
      this.windowWeight -= weight;
    } else if (entry.queue === PROBATION) {
      this.probation.remove(entry);
    } else {
      this.protectedQueue.remove(entry);
      this.protectedWeight -= weight;
    }
  }

  protected victim(): StoreEntry<K, V> | null {
    return this.probation.first ?? this.protectedQueue.first ?? this.window.first;
  }

  protected cleared(): void {
    this.window.clear();
    this.probation.clear();
    this.protectedQueue.clear();
    this.windowWeight = 0;
    this.protectedWeight = 0;
    this.weightTotal = 0;
    this.sketch = undefined;
    this.climber.reset();
  }

  /** Caffeine's evictEntries: window overflow becomes probation candidates, then admission decides. */
  protected override evictWhileOver(): void {
    this.startSketchWhenHalfFull();
    let candidate = this.evictFromWindow();
    let victimQueue = PROBATION;
    let victim = this.probation.first;
    while (this.over()) {
      if (victim === null && candidate === null) {
        if (victimQueue === PROBATION) {
          victim = this.protectedQueue.first;
          victimQueue = PROTECTED;
          continue;
        }
        if (victimQueue === PROTECTED) {
          victim = this.window.first;
          victimQueue = WINDOW;
          continue;
        }
        return;
      }
      if (victim === null) {
        const evict = candidate!;
        candidate = evict.next;
        this.evict(evict, "window");
        continue;
      }
      if (candidate === null) {
        const evict = victim;
        victim = evict.next;
        this.evict(evict, evict.queue === WINDOW ? "window" : "main");
        continue;
      }
      if (candidate === victim) {
        victim = victim.next;
        this.evict(candidate, "window");
        candidate = null;
        continue;
      }
      if (this.admitCandidate(candidate, victim)) {
        const evict = victim;
        victim = evict.next;
        candidate = candidate.next;
        this.evict(evict, "main");
      } else {
        const evict = candidate;
        candidate = evict.next;
        this.evict(evict, "window");
      }
    }
  }

  /** Caffeine's admit(): the warmer key wins; a warm candidate also wins 1 time in 128 at random. */
  private admitCandidate(candidate: StoreEntry<K, V>, victim: StoreEntry<K, V>): boolean {
    const sketch = this.sketch;
    if (sketch === undefined) return false;
    const victimFreq = sketch.frequency(victim.hash);
    const candidateFreq = sketch.frequency(candidate.hash);
    if (candidateFreq > victimFreq) return true;
    if (candidateFreq >= HASH_FLOODING_THRESHOLD) return Math.floor(this.random() * 128) === 0;
    return false;
  }

  private evict(entry: StoreEntry<K, V>, from: "window" | "main"): void {
    this.remove(entry, "evicted");
    this.climber.evicted(entry.key, from);
  }

  /** Moves the window's overflow to the probation end; returns the first moved (the oldest candidate). */
  private evictFromWindow(): StoreEntry<K, V> | null {
    let first: StoreEntry<K, V> | null = null;
    while (this.windowWeight > this.windowMaximum) {
      const entry = this.window.shift();
      if (entry === null) break;
      this.windowWeight -= this.weigh(entry.size);
      entry.queue = PROBATION;
      this.probation.push(entry);
      first ??= entry;
    }
    return first;
  }

  private demoteFromProtected(): void {
    while (this.protectedWeight > this.protectedMaximum) {
      const entry = this.protectedQueue.shift();
      if (entry === null) return;
      this.protectedWeight -= this.weigh(entry.size);
      entry.queue = PROBATION;
      this.probation.push(entry);
    }
  }

  /** Caffeine starts the sketch once the cache is half full. */
  private startSketchWhenHalfFull(): void {
    if (this.sketch === undefined && this.weightTotal >= this.maximum / 2) this.sketch = new FrequencySketch(this.sketchCapacity);
  }

  private climb(key: K, hash: number, hit: boolean): void {
    const amount = this.climber.record(key, hash, hit, this.sketch !== undefined, this.windowMaximum);
    if (amount > 0) this.increaseWindow(amount);
    else if (amount < 0) this.decreaseWindow(-amount);
  }

  /** Caffeine's increaseWindow: takes up to `amount` from protected and moves main entries over. */
  private increaseWindow(amount: number): void {
    if (this.protectedMaximum === 0) return;
    let quota = Math.min(amount, this.protectedMaximum);
    this.protectedMaximum -= quota;
    this.windowMaximum += quota;
    this.demoteFromProtected();
    for (let i = 0; i < TRANSFER_LIMIT; i++) {
      let entry = this.probation.first;
      let fromProbation = true;
      if (entry === null || quota < this.weigh(entry.size)) {
        entry = this.protectedQueue.first;
        fromProbation = false;
      }
      if (entry === null) break;
      const weight = this.weigh(entry.size);
      if (quota < weight) break;
      quota -= weight;
      if (fromProbation) this.probation.remove(entry);
      else {
        this.protectedQueue.remove(entry);
        this.protectedWeight -= weight;
      }
      entry.queue = WINDOW;
      this.window.push(entry);
      this.windowWeight += weight;
    }
    this.protectedMaximum += quota;
    this.windowMaximum -= quota;
  }

  /** Caffeine's decreaseWindow: gives up to `amount` of the window (keeping ≥ 1) to protected. */
  private decreaseWindow(amount: number): void {
    if (this.windowMaximum <= 1) return;
    let quota = Math.min(amount, Math.max(0, this.windowMaximum - 1));
    this.protectedMaximum += quota;
    this.windowMaximum -= quota;
    for (let i = 0; i < TRANSFER_LIMIT; i++) {
      const entry = this.window.first;
      if (entry === null) break;
      const weight = this.weigh(entry.size);
      if (quota < weight) break;
      quota -= weight;
      this.window.remove(entry);
      this.windowWeight -= weight;
      entry.queue = PROBATION;
      this.probation.push(entry);
    }
    this.protectedMaximum -= quota;
    this.windowMaximum += quota;
  }

  private weigh(size: number): number {
    return this.unitWeights ? 1 : size;
  }
}

/**
 * A W-TinyLFU store. With `maxEntries` the regions are sized in entries and `maxBytes` (if set)
 * evicts further by the same rules; with `maxBytes` only they are sized in bytes.
 */
export function createTinyLfuStore<K, V>(options: TinyLfuOptions<K, V>): TinyLfuStore<K, V> {
  return new WTinyLfuStore(options);
}
