// Connectivity states of a subchannel, as in gRPC's connectivity semantics.

/**
 * - `idle`: no connection and none being made (new, or closed after being idle);
 * - `connecting`: a connection is being established;
 * - `ready`: connected, calls may be sent;
 * - `transient-failure`: the last connection attempt failed; a new one starts after a backoff;
 * - `shutdown`: closed for good (removed from the resolved set, or the channel closed).
 */
export type ConnectivityState = "idle" | "connecting" | "ready" | "transient-failure" | "shutdown";
