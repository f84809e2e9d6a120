// The ring-hash picker: consistent hashing of the call's routing key onto a ketama-style ring of
// virtual nodes, so a key sticks to one endpoint and few keys move when endpoints come and go.
import type { PickCandidate, Picker, PickerEnv, PickerPolicy } from "../picker.js";
import { xxHash32 } from "./hash.js";
import { randomIndex } from "./random.js";

/** Options of the `"ring-hash"` policy (the number of virtual nodes on the ring). */
export interface RingHashPolicyOptions {
  /**
   * Virtual nodes per unit of endpoint weight (default 256). Fixed, so an endpoint's nodes stay put
   * when others join or leave: only the keys of the endpoint that changed move.
   */
  readonly pointsPerWeight?: number;
  /**
   * Most virtual nodes on the ring (default 16384; at most 8,388,608). A larger fleet halves the
   * nodes per unit of weight until the ring fits (every endpoint keeps at least one).
   */
  readonly maxRingSize?: number;
}

/** Upper bound of `pointsPerWeight` and `maxRingSize` (gRPC's ring size limit). */
export const ringSizeLimit = 8_388_608;

/** A built ring: virtual node hashes in ascending order and the candidate index owning each. @private */
export interface Ring {
  readonly hashes: Uint32Array;
  readonly owners: Int32Array;
}

function validWeight(weight: number): number {
  return Number.isFinite(weight) && weight > 0 ? weight : 1;
}

function vnodeCounts(weights: readonly number[], pointsPerWeight: number, maxRingSize: number): number[] {
  // Nodes per unit of weight do not depend on the number of endpoints, so adding or removing one
  // leaves the others' nodes untouched; only a ring over maxRingSize scales down (by halving, which
  // keeps each endpoint's first nodes).
  let perUnit = pointsPerWeight;
  for (;;) {
    const counts = weights.map((w) => Math.max(1, Math.round(w * perUnit)));
    const size = counts.reduce((sum, c) => sum + c, 0);
    if (size <= maxRingSize || counts.every((c) => c === 1)) return counts;
    perUnit /= 2;
  }
}

/**
 * Builds the ring for `addresses` with relative `weights`: endpoint i gets about
 * `weight_i × pointsPerWeight` virtual nodes `"address#0"`, `"address#1"`, …, halved per unit of
 * weight while the ring exceeds `maxRingSize` (every endpoint keeps at least one node).
 * @private
 */
export function buildRing(
  addresses: readonly string[],
  weights: readonly number[],
  pointsPerWeight: number,
  maxRingSize: number,
): Ring {
  if (addresses.length === 0) return { hashes: new Uint32Array(0), owners: new Int32Array(0) };
  const counts = vnodeCounts(weights.map(validWeight), pointsPerWeight, maxRingSize);
  const nodes: { hash: number; owner: number; index: number }[] = [];
  counts.forEach((count, owner) => {
    for (let index = 0; index < count; index++) {
      nodes.push({ hash: xxHash32(`${addresses[owner]!}#${index}`), owner, index });
    }
  });
  // Ties (rare) are broken by address, then node index, so the ring never depends on input order.
  nodes.sort((x, y) => {
    if (x.hash !== y.hash) return x.hash - y.hash;
    const ax = addresses[x.owner]!;
    const ay = addresses[y.owner]!;
    return ax < ay ? -1 : ax > ay ? 1 : x.index - y.index;
  });
  return {
    hashes: Uint32Array.from(nodes, (node) => node.hash),
    owners: Int32Array.from(nodes, (node) => node.owner),
  };
}

/** Index of the first node whose hash is >= `hash`, wrapping to 0 past the end. @private */
export function ringLookup(ring: Ring, hash: number): number {
  let lo = 0;
  let hi = ring.hashes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ring.hashes[mid]! < hash) lo = mid + 1;
    else hi = mid;
  }
  return lo === ring.hashes.length ? 0 : lo;
}

function requireRingSize(field: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > ringSizeLimit) {
    throw new Error(`${field}: must be an integer from 1 to ${ringSizeLimit}, got ${String(value)}`);
  }
  return value;
}

/**
 * The `"ring-hash"` policy. A call with a `routingKey` goes to the owner of the first virtual node
 * at or after `xxHash32(routingKey)` on the ring; a call without one goes to a random candidate.
 * The ring is built once per picker (that is, per change of the ready set).
 *
 * @param options - virtual nodes per unit of weight and the ring's size bound.
 * @param field - config path used in error messages (default `"balancer"`).
 * @throws Error naming the field when a value is not an integer in [1, 8388608].
 * @example
 * const picker = createRingHashPolicy({ pointsPerWeight: 512 }).build(ready, env);
 * picker.pick({ routingKey: "customer-42" }); // the same endpoint every time while `ready` holds
 */
export function createRingHashPolicy(options: RingHashPolicyOptions = {}, field = "balancer"): PickerPolicy {
  const pointsPerWeight = requireRingSize(`${field}.pointsPerWeight`, options.pointsPerWeight ?? 256);
  const maxRingSize = requireRingSize(`${field}.maxRingSize`, options.maxRingSize ?? 16_384);
  return {
    name: "ring-hash",
    build<C extends PickCandidate>(ready: readonly C[], env: PickerEnv): Picker<C> {
      const list = ready.slice();
      const ring = buildRing(
        list.map((c) => c.address),
        list.map((c) => c.weight),
        pointsPerWeight,
        maxRingSize,
      );
      return {
        pick(args) {
          if (list.length === 0) return undefined;
          if (args.routingKey === undefined) return list[randomIndex(env.random, list.length)];
          return list[ring.owners[ringLookup(ring, xxHash32(args.routingKey))]!];
        },
      };
    },
  };
}
