// Partitions of a concurrency limit: each named group (a method, a caller class) is guaranteed a
// share of the limit and may borrow what others leave unused, as Netflix's partitioned limiter does.

/** The shares by partition name, each in (0, 1], summing to at most 1. */
export type PartitionShares = Readonly<Record<string, number>>;

/** One partition's state. */
export interface Partition {
  readonly name: string;
  /** Guaranteed share of the limit (0 for calls in no named partition). */
  readonly share: number;
  /** Calls of this partition in flight. */
  inFlight: number;
}

/** Name of the partition of calls no named partition claims. */
export const unknownPartition = "unknown";

/**
 * The partition's guaranteed number of calls under `limit`: `max(1, ceil(limit × share))`.
 * @example
 * partitionLimit({ name: "batch", share: 0.2, inFlight: 0 }, 20); // 4
 */
export function partitionLimit(partition: Partition, limit: number): number {
  return Math.max(1, Math.ceil(limit * partition.share));
}

/**
 * Whether a call of `partition` may start: yes while the total is under `limit`; at or over it,
 * only while the partition is under its guaranteed share. So a busy partition borrows idle
 * capacity, and a partition that borrowed cannot keep another from its share.
 */
export function partitionAdmits(partition: Partition, totalInFlight: number, limit: number): boolean {
  return totalInFlight < limit || partition.inFlight < partitionLimit(partition, limit);
}

/**
 * Checks `shares` and returns the partitions by name, plus the `unknown` one (share 0) for calls
 * that name no partition.
 * @throws Error naming `<field>.<name>` for a share outside (0, 1], or `field` when they sum over 1.
 */
export function createPartitions(shares: PartitionShares, field = "partitions.shares"): Map<string, Partition> {
  const partitions = new Map<string, Partition>();
  let sum = 0;
  for (const [name, share] of Object.entries(shares ?? {})) {
    if (typeof share !== "number" || !(share > 0 && share <= 1)) {
      throw new Error(`${field}.${name}: must be a number > 0 and <= 1, got ${String(share)}`);
    }
    sum += share;
    partitions.set(name, { name, share, inFlight: 0 });
  }
  if (sum > 1 + 1e-9) throw new Error(`${field}: must sum to at most 1, got ${sum}`);
  if (!partitions.has(unknownPartition)) partitions.set(unknownPartition, { name: unknownPartition, share: 0, inFlight: 0 });
  return partitions;
}
