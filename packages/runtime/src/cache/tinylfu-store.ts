// W-TinyLFU as Caffeine builds it (1 % LRU window, 80/20 segmented LRU main, sketch-gated admission,
// adaptive window) plus a sketch for 512 or 2 × capacity entries that counts from the first access,
// a ghost history of turned-away candidates and a restart when the popular set moves
// (shift-detector.ts); entries are typed-array slots (slot-arena.ts).
import { checkEntryArguments, checkStoreBounds, type CacheStore, type RemovalCause, type StoreOptions } from "./cache-store.js";
import { FrequencySketch, HASH_MASK, hashKey, sketchTableBytes } from "./frequency-sketch.js";
import { GhostFilter } from "./ghost-filter.js";
import { createMiniatureClimber } from "./miniature-climber.js";
import { SHIFT_PERIOD, ShiftDetector } from "./shift-detector.js";
import { NO_SLOT, RELEASED, SlotArena } from "./slot-arena.js";
import { createFixedWindow, createHillClimber, type WindowClimber } from "./window-climber.js";

const WINDOW = 0;
const PROBATION = 1;
const PROTECTED = 2;
/** Share of the maximum given to the main area at first (Caffeine: 99 %). */
const PERCENT_MAIN = 0.99;
/** Share of the main area that is protected (Caffeine: 80 %). */
const PERCENT_PROTECTED = 0.8;
/** A candidate at least this warm may win against a hotter victim at random (Caffeine: 6). */
const HASH_FLOODING_THRESHOLD = 6;
/** Most entries moved per window resize (Caffeine: 1000). */
const TRANSFER_LIMIT = 1000;
/** Fewest entries the frequency sketch is sized and aged for (Caffeine: the cache's maximum). */
const SKETCH_FLOOR = 512;
/**
 * Sketch entries per cache entry from `SKETCH_FLOOR` entries up (Caffeine: 1): a sketch twice as wide
 * and aged half as often ranks the keys near the edge of the cache better; with a sketch that counts
 * from the first access it lost on no README trace at these sizes.
 */
const SKETCH_ENTRIES_PER_ENTRY = 2;
/**
 * Largest sketch table started with the store by default (1 MiB: a sketch for up to 131,072 entries,
 * caches of up to 65,536); a larger one starts when the cache is half full, as Caffeine starts every
 * sketch, so that a large cache that never fills does not hold a large table.
 */
const EAGER_SKETCH_BYTES = 2 ** 20;
/** Fewest entries for which the store keeps a ghost history of turned-away candidates. */
const FEWEST_GHOST_ENTRIES = 512;
/** Ghost history slots per cache entry (rounded up to a power of two). */
const GHOSTS_PER_ENTRY = 1 / 8;
/** Slots allocated up front at most; the arena grows past it by doubling. */
const INITIAL_SLOTS_CAP = 4096;

/** Options of a W-TinyLFU store. */
export interface TinyLfuOptions<K, V> extends StoreOptions<K, V> {
  /**
   * How the window adapts: `"miniature"` (default), Sluice's miniature simulations (caches under
   * 512 entries keep the window fixed); `"caffeine"`, Caffeine's hill climber; `"fixed"`, never.
   */
  readonly climber?: "miniature" | "caffeine" | "fixed";
  /** Initial window share of the maximum, in (0, 1); default 0.01 as in Caffeine. */
  readonly windowShare?: number;
  /**
   * Entries the frequency sketch is sized and aged for (halved after 10 × this many increments);
   * default 512 for caches of fewer entries, so that small caches still tell warm keys from cold
   * ones, and twice the entries the cache holds from 512 entries up.
   */
  readonly sketchEntries?: number;
  /**
   * When the frequency sketch starts counting: `"first-access"` (with the store) or `"half-full"`
   * (once the cache holds half its maximum, as in Caffeine, so that a cache that never fills holds no
   * table). Default `"first-access"` when the table takes at most 1 MiB (a sketch for up to 131,072
   * entries: caches of up to 65,536 entries by default), `"half-full"` for larger ones.
   */
  readonly sketchStart?: "first-access" | "half-full";
  /** Hashes a key (the store keeps its low 30 bits); default: FNV-1a of strings, integer mixing of numbers. */
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

const REGIONS = ["window", "probation", "protected"] as const;

class WTinyLfuStore<K, V> implements TinyLfuStore<K, V> {
  readonly policy: string;
  private readonly map = new Map<K, number>();
  private readonly slots: SlotArena<K, V>;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private readonly onRemove: StoreOptions<K, V>["onRemove"];
  /** Weights are entries when `maxEntries` is set, bytes otherwise. */
  private readonly unitWeights: boolean;
  private readonly maximum: number;
  private readonly sketchCapacity: number;
  /** True when the sketch counts from the first access rather than from half full. */
  private readonly eagerSketch: boolean;
  private sketch: FrequencySketch | undefined;
  /** Hashes of about the last 1/8 × capacity candidates turned away (caches of 512+ entries). */
  private readonly ghosts: GhostFilter | undefined;
  private readonly climber: WindowClimber<K>;
  /** The climber's `sampledBelow`, kept here so that a read not sampled costs one comparison. */
  private readonly sampledBelow: number;
  private readonly random: () => number;
  private readonly hash: (key: K, seed: number) => number;
  private readonly seed: number;
  windowMaximum: number;
  protectedMaximum: number;
  private byteCount = 0;
  private windowWeight = 0;
  private protectedWeight = 0;
  private weightTotal = 0;
  /** The key of the last lookup that missed, while it is still absent (`hasMissedKey`). */
  private missedKey: K | undefined = undefined;
  private hasMissedKey = false;
  private missedHash = 0;
  /** Weight still to move into (> 0) or out of (< 0) the window after a transfer hit `TRANSFER_LIMIT`. */
  private adjustment = 0;
  /** Reads, misses and hits on protected entries in the current period of `SHIFT_PERIOD` reads. */
  private periodReads = 0;
  private periodMisses = 0;
  private periodProtectedHits = 0;
  private readonly shifts = new ShiftDetector();

  constructor(options: TinyLfuOptions<K, V>) {
    checkStoreBounds(options);
    this.maxEntries = options.maxEntries;
    this.maxBytes = options.maxBytes;
    this.now = options.now;
    this.onRemove = options.onRemove;
    const climber = options.climber ?? "miniature";
    if (!["miniature", "caffeine", "fixed"].includes(climber)) {
      throw new Error(`climber: must be "miniature", "caffeine" or "fixed", got ${String(climber)}`);
    }
    const share = options.windowShare ?? 1 - PERCENT_MAIN;
    if (!(share > 0 && share < 1)) throw new Error(`windowShare: must be in (0, 1), got ${String(share)}`);
    this.policy = climber === "miniature" ? "tinylfu" : `tinylfu-${climber}`;
    this.random = options.random ?? Math.random;
    const hash = options.hash;
    this.hash = hash === undefined ? hashKey : (key, seed) => hash(key, seed) & HASH_MASK;
    this.seed = Math.floor(this.random() * 0x100000000) | 0;
    this.unitWeights = this.maxEntries > 0;
    this.maximum = this.unitWeights ? this.maxEntries : this.maxBytes;
    this.slots = new SlotArena(3, this.unitWeights ? Math.min(this.maxEntries + 1, INITIAL_SLOTS_CAP) : 16);
    // With a byte bound only, the cache is taken to hold entries of at least 64 bytes, capped at 2^20.
    const entries = this.unitWeights ? this.maxEntries : Math.min(2 ** 20, Math.max(16, Math.ceil(this.maxBytes / 64)));
    const sketchEntries = options.sketchEntries ?? (entries < SKETCH_FLOOR ? SKETCH_FLOOR : SKETCH_ENTRIES_PER_ENTRY * entries);
    if (!(Number.isInteger(sketchEntries) && sketchEntries >= 1)) throw new Error(`sketchEntries: must be an integer >= 1, got ${String(sketchEntries)}`);
    this.sketchCapacity = sketchEntries;
    const sketchStart = options.sketchStart ?? (sketchTableBytes(sketchEntries) <= EAGER_SKETCH_BYTES ? "first-access" : "half-full");
    if (sketchStart !== "first-access" && sketchStart !== "half-full") {
      throw new Error(`sketchStart: must be "first-access" or "half-full", got ${String(sketchStart)}`);
    }
    this.eagerSketch = sketchStart === "first-access";
    if (this.eagerSketch) this.sketch = new FrequencySketch(sketchEntries);
    this.ghosts = entries >= FEWEST_GHOST_ENTRIES ? new GhostFilter(2 ** Math.ceil(Math.log2(entries * GHOSTS_PER_ENTRY))) : undefined;
    this.windowMaximum = this.maximum - Math.floor((1 - share) * this.maximum);
    this.protectedMaximum = Math.floor(PERCENT_PROTECTED * (this.maximum - this.windowMaximum));
    this.climber =
      climber === "caffeine"
        ? createHillClimber<K>(this.maximum, 10 * this.sketchCapacity)
        : climber === "fixed"
          ? createFixedWindow<K>()
          : createMiniatureClimber<K>(this.maximum, entries, sketchEntries);
    this.sampledBelow = this.climber.sampledBelow;
  }

  get entries(): number {
    return this.map.size;
  }

  get bytes(): number {
    return this.byteCount;
  }

  get(key: K): V | undefined {
    const slot = this.map.get(key);
    if (slot === undefined) {
      this.missed(key);
      return undefined;
    }
    const slots = this.slots;
    const expiresAt = slots.expiresAt[slot]!;
    if (expiresAt !== Infinity && expiresAt <= this.now()) {
      this.remove(slot, "expired");
      this.missed(key);
      return undefined;
    }
    const hash = slots.hashes[slot]!;
    if (slots.queueOf[slot] === PROTECTED) this.periodProtectedHits++;
    this.touched(slot, hash);
    if (++this.periodReads === SHIFT_PERIOD) this.endPeriod();
    if (hash < this.sampledBelow || this.adjustment !== 0) this.climb(key, hash, true);
    return slots.values[slot];
  }

  peek(key: K): V | undefined {
    const slot = this.map.get(key);
    return slot !== undefined && this.slots.expiresAt[slot]! > this.now() ? this.slots.values[slot] : undefined;
  }

  set(key: K, value: V, size: number, ttlMs: number): boolean {
    checkEntryArguments(size, ttlMs);
    const slots = this.slots;
    // The key of the last miss is known absent until a set stores it: skip the second lookup.
    const missedBefore = this.hasMissedKey && key === this.missedKey;
    const old = missedBefore ? undefined : this.map.get(key);
    if (missedBefore) this.hasMissedKey = false;
    if (this.maxBytes > 0 && size > this.maxBytes) {
      if (old !== undefined) this.remove(old, "replaced");
      return false;
    }
    const expiresAt = ttlMs === Infinity ? Infinity : this.now() + ttlMs;
    if (old !== undefined) {
      const oldValue = slots.values[old] as V;
      const oldSize = slots.sizes[old]!;
      this.byteCount += size - oldSize;
      slots.values[old] = value;
      slots.sizes[old] = size;
      slots.expiresAt[old] = expiresAt;
      if (oldSize !== size) this.resized(old, oldSize, size);
      this.touched(old, slots.hashes[old]!);
      this.onRemove?.(key, oldValue, "replaced");
      this.evictWhileOver();
      return this.holds(old);
    }
    // A set usually follows the get that missed: reuse that hash.
    const hash = missedBefore ? this.missedHash : this.hash(key, this.seed);
    const slot = slots.allocate(key, value, size, expiresAt, hash);
    this.sketch?.increment(hash);
    slots.push(WINDOW, slot);
    const weight = this.weigh(size);
    this.windowWeight += weight;
    this.weightTotal += weight;
    this.map.set(key, slot);
    this.byteCount += size;
    this.evictWhileOver();
    return this.holds(slot);
  }

  /** True unless `slot`, just set, was released since (no slot is allocated while a set evicts). */
  private holds(slot: number): boolean {
    return this.slots.queueOf[slot] !== RELEASED;
  }

  delete(key: K): boolean {
    const slot = this.map.get(key);
    if (slot === undefined) return false;
    this.remove(slot, "deleted");
    return true;
  }

  clear(): void {
    this.map.clear();
    this.slots.reset();
    this.byteCount = 0;
    this.windowWeight = 0;
    this.protectedWeight = 0;
    this.weightTotal = 0;
    if (this.eagerSketch) this.sketch!.clear();
    else this.sketch = undefined;
    this.ghosts?.clear();
    this.hasMissedKey = false;
    this.adjustment = 0;
    this.climber.reset();
    this.periodReads = 0;
    this.periodMisses = 0;
    this.periodProtectedHits = 0;
    this.shifts.reset();
  }

  keys(): IterableIterator<K> {
    return this.map.keys();
  }

  regionOf(key: K): "window" | "probation" | "protected" | undefined {
    const slot = this.map.get(key);
    return slot === undefined ? undefined : REGIONS[this.slots.queueOf[slot]!];
  }

  frequency(key: K): number {
    return this.sketch?.frequency(this.hash(key, this.seed)) ?? 0;
  }

  private missed(key: K): void {
    const hash = this.hash(key, this.seed);
    this.missedKey = key;
    this.hasMissedKey = true;
    this.missedHash = hash;
    this.periodMisses++;
    if (++this.periodReads === SHIFT_PERIOD) this.endPeriod();
    if (hash < this.sampledBelow || this.adjustment !== 0) this.climb(key, hash, false);
  }

  /** `slot` was read or overwritten: count it and move it up (probation hits are promoted). */
  private touched(slot: number, hash: number): void {
    this.sketch?.increment(hash);
    const slots = this.slots;
    if (slots.queueOf[slot] !== PROBATION) slots.touch(slot);
    else {
      slots.move(slot, PROTECTED);
      this.protectedWeight += this.weigh(slots.sizes[slot]!);
      this.demoteFromProtected();
    }
  }

  private resized(slot: number, oldSize: number, size: number): void {
    const delta = this.weigh(size) - this.weigh(oldSize);
    this.weightTotal += delta;
    const queue = this.slots.queueOf[slot];
    if (queue === WINDOW) this.windowWeight += delta;
    else if (queue === PROTECTED) this.protectedWeight += delta;
  }

  /** Takes `slot` out of the map, the accounting and its queue, frees it, and reports it. */
  private remove(slot: number, cause: RemovalCause): void {
    const slots = this.slots;
    const key = slots.keys[slot] as K;
    const value = slots.values[slot] as V;
    const size = slots.sizes[slot]!;
    this.map.delete(key);
    this.byteCount -= size;
    const weight = this.weigh(size);
    this.weightTotal -= weight;
    const queue = slots.queueOf[slot];
    if (queue === WINDOW) this.windowWeight -= weight;
    else if (queue === PROTECTED) this.protectedWeight -= weight;
    slots.unlink(slot);
    slots.release(slot);
    this.onRemove?.(key, value, cause);
  }

  /** True while a bound is exceeded. */
  private over(): boolean {
    return (this.maxEntries > 0 && this.map.size > this.maxEntries) || (this.maxBytes > 0 && this.byteCount > this.maxBytes);
  }

  /** Caffeine's evictEntries: window overflow becomes probation candidates, then admission decides. */
  private evictWhileOver(): void {
    this.startSketchWhenHalfFull();
    if (!this.over() && this.windowWeight <= this.windowMaximum) return;
    if (this.evictOneForOne()) return;
    const slots = this.slots;
    let candidate = this.evictFromWindow();
    let victimQueue = PROBATION;
    let victim = slots.heads[PROBATION]!;
    while (this.over()) {
      if (victim === NO_SLOT && candidate === NO_SLOT) {
        if (victimQueue === WINDOW) return;
        victimQueue = victimQueue === PROBATION ? PROTECTED : WINDOW;
        victim = slots.heads[victimQueue]!;
        continue;
      }
      // Candidates left the window (they sit at probation's end); victims are main's or, last, the window's.
      if (victim === NO_SLOT) {
        const evict = candidate;
        candidate = slots.next[candidate]!;
        this.evict(evict, "window");
      } else if (candidate === NO_SLOT) {
        const evict = victim;
        victim = slots.next[victim]!;
        this.evict(evict, victimQueue === WINDOW ? "window" : "main");
      } else if (candidate === victim) {
        victim = slots.next[victim]!;
        this.evict(candidate, "window");
        candidate = NO_SLOT;
      } else if (this.admitCandidate(candidate, victim)) {
        const evict = victim;
        victim = slots.next[victim]!;
        candidate = slots.next[candidate]!;
        this.evict(evict, "main");
      } else {
        const evict = candidate;
        candidate = slots.next[candidate]!;
        this.evict(evict, "window");
      }
    }
  }

  /**
   * The usual eviction of a full cache of entry-counted weights, one insertion over both the entry
   * bound and the window's: the window's oldest becomes the candidate against probation's oldest,
   * exactly as the general loop of `evictWhileOver` would decide, without its bookkeeping. False,
   * having changed nothing, in any other state.
   */
  private evictOneForOne(): boolean {
    if (!this.unitWeights || this.maxBytes > 0 || this.map.size !== this.maxEntries + 1 || this.windowWeight !== this.windowMaximum + 1) return false;
    const slots = this.slots;
    const victim = slots.heads[PROBATION]!;
    const candidate = slots.heads[WINDOW]!;
    if (victim === NO_SLOT || candidate === NO_SLOT) return false;
    if (this.admitCandidate(candidate, victim)) {
      this.windowWeight--;
      slots.move(candidate, PROBATION);
      this.evict(victim, "main");
    } else {
      // Turned away: leaves from the window directly, not by way of probation's end.
      this.evict(candidate, "window");
    }
    return true;
  }

  /**
   * Caffeine's admit(): the warmer key wins; a warm candidate also wins 1 time in 128 at random.
   * Sluice adds: a candidate turned away lately and back already wins (the ghost history).
   */
  private admitCandidate(candidate: number, victim: number): boolean {
    const sketch = this.sketch;
    if (sketch === undefined) return false;
    const candidateHash = this.slots.hashes[candidate]!;
    const victimFreq = sketch.frequency(this.slots.hashes[victim]!);
    const candidateFreq = sketch.frequency(candidateHash);
    if (candidateFreq > victimFreq) return true;
    if (this.ghosts?.recalls(candidateHash)) return true;
    if (candidateFreq >= HASH_FLOODING_THRESHOLD) return Math.floor(this.random() * 128) === 0;
    return false;
  }

  private evict(slot: number, from: "window" | "main"): void {
    if (from === "window") this.ghosts?.remember(this.slots.hashes[slot]!);
    this.remove(slot, "evicted");
  }

  /** Moves the window's overflow to the probation end; returns the first moved (the oldest candidate). */
  private evictFromWindow(): number {
    const slots = this.slots;
    let first = NO_SLOT;
    while (this.windowWeight > this.windowMaximum) {
      const slot = slots.heads[WINDOW]!;
      if (slot === NO_SLOT) break;
      this.windowWeight -= this.weigh(slots.sizes[slot]!);
      slots.move(slot, PROBATION);
      if (first === NO_SLOT) first = slot;
    }
    return first;
  }

  private demoteFromProtected(): void {
    const slots = this.slots;
    while (this.protectedWeight > this.protectedMaximum) {
      const slot = slots.heads[PROTECTED]!;
      if (slot === NO_SLOT) return;
      this.protectedWeight -= this.weigh(slots.sizes[slot]!);
      slots.move(slot, PROBATION);
    }
  }

  /** Ends a period of `SHIFT_PERIOD` reads: once the sketch runs, a shift makes the store forget what was popular. */
  private endPeriod(): void {
    const reads = this.periodReads;
    const hitRate = 1 - this.periodMisses / reads;
    const protectedRate = this.periodProtectedHits / reads;
    this.periodReads = 0;
    this.periodMisses = 0;
    this.periodProtectedHits = 0;
    if (this.sketch !== undefined && this.shifts.shifted(hitRate, protectedRate)) this.forgetPopularity(this.sketch);
  }

  /**
   * The popular set moved: zero the sketch, so that old favourites no longer outweigh new keys at
   * admission, and demote the protected segment to probation's cold end (ahead of probation's own
   * entries), so that those favourites are the next victims unless they are read again.
   */
  private forgetPopularity(sketch: FrequencySketch): void {
    sketch.clear();
    const slots = this.slots;
    let probationEntries = 0;
    for (let slot = slots.heads[PROBATION]!; slot !== NO_SLOT; slot = slots.next[slot]!) probationEntries++;
    for (let slot = slots.heads[PROTECTED]!; slot !== NO_SLOT; slot = slots.heads[PROTECTED]!) slots.move(slot, PROBATION);
    this.protectedWeight = 0;
    // Probation's own entries go back behind the demoted ones, in their order.
    for (let i = 0; i < probationEntries; i++) slots.move(slots.heads[PROBATION]!, PROBATION);
  }

  /** A sketch too large to start with the store starts once the cache is half full, as in Caffeine. */
  private startSketchWhenHalfFull(): void {
    if (this.sketch === undefined && this.weightTotal >= this.maximum / 2) this.sketch = new FrequencySketch(this.sketchCapacity);
  }

  /** Asks the climber; as in Caffeine, an adjustment too large for one transfer continues on later reads. */
  private climb(key: K, hash: number, hit: boolean): void {
    if (hash < this.sampledBelow) {
      const amount = this.climber.record(key, hash, hit, this.sketch !== undefined, this.windowMaximum);
      if (amount !== 0) this.adjustment = amount;
    }
    if (this.adjustment > 0) this.increaseWindow(this.adjustment);
    else if (this.adjustment < 0) this.decreaseWindow(-this.adjustment);
  }

  /** Caffeine's increaseWindow: takes up to `amount` from protected and moves main entries over. */
  private increaseWindow(amount: number): void {
    this.adjustment = 0;
    if (this.protectedMaximum === 0) return;
    const slots = this.slots;
    let quota = Math.min(amount, this.protectedMaximum);
    this.protectedMaximum -= quota;
    this.windowMaximum += quota;
    this.demoteFromProtected();
    let moved = 0;
    for (; moved < TRANSFER_LIMIT; moved++) {
      let slot = slots.heads[PROBATION]!;
      if (slot === NO_SLOT || quota < this.weigh(slots.sizes[slot]!)) slot = slots.heads[PROTECTED]!;
      if (slot === NO_SLOT) break;
      const weight = this.weigh(slots.sizes[slot]!);
      if (quota < weight) break;
      quota -= weight;
      if (slots.queueOf[slot] === PROTECTED) this.protectedWeight -= weight;
      slots.move(slot, WINDOW);
      this.windowWeight += weight;
    }
    this.protectedMaximum += quota;
    this.windowMaximum -= quota;
    if (moved === TRANSFER_LIMIT) this.adjustment = quota;
  }

  /** Caffeine's decreaseWindow: gives up to `amount` of the window (keeping ≥ 1) to protected. */
  private decreaseWindow(amount: number): void {
    this.adjustment = 0;
    if (this.windowMaximum <= 1) return;
    const slots = this.slots;
    let quota = Math.min(amount, Math.max(0, this.windowMaximum - 1));
    this.protectedMaximum += quota;
    this.windowMaximum -= quota;
    let moved = 0;
    for (; moved < TRANSFER_LIMIT; moved++) {
      const slot = slots.heads[WINDOW]!;
      if (slot === NO_SLOT) break;
      const weight = this.weigh(slots.sizes[slot]!);
      if (quota < weight) break;
      quota -= weight;
      slots.move(slot, PROBATION);
      this.windowWeight -= weight;
    }
    this.protectedMaximum -= quota;
    this.windowMaximum += quota;
    if (moved === TRANSFER_LIMIT) this.adjustment = -quota;
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
