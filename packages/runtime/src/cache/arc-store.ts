// ARC exactly as Megiddo & Modha, "ARC: A Self-Tuning, Low Overhead Replacement Cache" (FAST '03):
// resident lists T1 (seen once) and T2 (seen twice or more), ghost lists B1 and B2, real-valued target p.
import type { CacheStore, RemovalCause, StoreOptions } from "./cache-store.js";
import { BoundedStore, type StoreEntry } from "./bounded-store.js";
import { LinkedList, type Linked } from "./linked-list.js";

const T1 = 1;
const T2 = 2;

class Ghost<K> implements Linked<Ghost<K>> {
  prev: Ghost<K> | null = null;
  next: Ghost<K> | null = null;
  constructor(
    readonly key: K,
    readonly list: LinkedList<Ghost<K>>,
  ) {}
}

class ArcStore<K, V> extends BoundedStore<K, V> {
  readonly policy = "arc";
  private readonly t1 = new LinkedList<StoreEntry<K, V>>();
  private readonly t2 = new LinkedList<StoreEntry<K, V>>();
  private readonly b1 = new LinkedList<Ghost<K>>();
  private readonly b2 = new LinkedList<Ghost<K>>();
  private readonly ghosts = new Map<K, Ghost<K>>();
  /** Target size of T1, 0 ≤ p ≤ c. */
  private p = 0;
  /** Set while an eviction must not leave a ghost (case IV-A, second branch). */
  private forget = false;

  /** The target p, for tests. */
  get target(): number {
    return this.p;
  }

  /** c of the paper: `maxEntries`, or with a byte bound only, one more than the entries held. */
  private capacity(): number {
    return this.maxEntries > 0 ? this.maxEntries : this.map.size + 1;
  }

  protected admit(entry: StoreEntry<K, V>): void {
    const c = this.capacity();
    const full = this.map.size >= c;
    const ghost = this.ghosts.get(entry.key);
    if (ghost !== undefined) {
      const inB1 = ghost.list === this.b1;
      if (inB1) {
        const delta = this.b1.size >= this.b2.size ? 1 : this.b2.size / this.b1.size; // Case II
        this.p = Math.min(this.p + delta, c);
      } else {
        const delta = this.b2.size >= this.b1.size ? 1 : this.b1.size / this.b2.size; // Case III
        this.p = Math.max(this.p - delta, 0);
      }
      this.dropGhost(ghost);
      if (full) this.replace(!inB1);
      this.link(entry, T2);
      return;
    }
    // Case IV: a miss in T1 ∪ B1 ∪ T2 ∪ B2.
    const l1 = this.t1.size + this.b1.size;
    if (l1 >= c) {
      if (this.t1.size < c) {
        this.dropOldestGhost(this.b1);
        if (full) this.replace(false);
      } else {
        this.forget = true;
        this.remove(this.t1.first!, "evicted");
        this.forget = false;
      }
    } else if (l1 + this.t2.size + this.b2.size >= c) {
      if (l1 + this.t2.size + this.b2.size >= 2 * c) this.dropOldestGhost(this.b2);
      if (full) this.replace(false);
    }
    this.link(entry, T1);
  }

  protected touched(entry: StoreEntry<K, V>): void {
    (entry.queue === T1 ? this.t1 : this.t2).remove(entry); // Case I
    this.link(entry, T2);
  }

  protected unlink(entry: StoreEntry<K, V>, cause: RemovalCause): void {
    const from = entry.queue === T1 ? this.t1 : this.t2;
    from.remove(entry);
    if (cause !== "evicted" || this.forget) return;
    const ghosts = entry.queue === T1 ? this.b1 : this.b2;
    const ghost = new Ghost(entry.key, ghosts);
    ghosts.push(ghost);
    this.ghosts.set(entry.key, ghost);
    // Keeps |T1|+|B1| ≤ c and the directory ≤ 2c when evictions come from the byte bound.
    const c = this.capacity();
    while (this.t1.size + this.b1.size > c && this.b1.size > 0) this.dropOldestGhost(this.b1);
    while (this.t1.size + this.t2.size + this.b1.size + this.b2.size > 2 * c && this.b2.size > 0) this.dropOldestGhost(this.b2);
  }

  /** The byte bound's victim, chosen by the REPLACE rule. */
  protected victim(): StoreEntry<K, V> | null {
    return this.replaceVictim(false);
  }

  protected cleared(): void {
    this.t1.clear();
    this.t2.clear();
    this.b1.clear();
    this.b2.clear();
    this.ghosts.clear();
    this.p = 0;
  }

  /** REPLACE(x, p): evicts the LRU of T1 into B1 or the LRU of T2 into B2. */
  private replace(xInB2: boolean): void {
    const victim = this.replaceVictim(xInB2);
    if (victim !== null) this.remove(victim, "evicted");
  }

  private replaceVictim(xInB2: boolean): StoreEntry<K, V> | null {
    const t1 = this.t1.size;
    if (t1 >= 1 && ((xInB2 && t1 === this.p) || t1 > this.p)) return this.t1.first;
    return this.t2.first ?? this.t1.first;
  }

  private link(entry: StoreEntry<K, V>, queue: number): void {
    entry.queue = queue;
    (queue === T1 ? this.t1 : this.t2).push(entry);
  }

  private dropOldestGhost(list: LinkedList<Ghost<K>>): void {
    const ghost = list.first;
    if (ghost !== null) this.dropGhost(ghost);
  }

  private dropGhost(ghost: Ghost<K>): void {
    ghost.list.remove(ghost);
    this.ghosts.delete(ghost.key);
  }
}

/**
 * A store with Megiddo & Modha's Adaptive Replacement Cache. The paper's c is `maxEntries`; with a
 * byte bound only, c follows the entries held and the byte bound's victims follow REPLACE.
 */
export function createArcStore<K, V>(options: StoreOptions<K, V>): CacheStore<K, V> & { readonly target: number } {
  return new ArcStore(options);
}
