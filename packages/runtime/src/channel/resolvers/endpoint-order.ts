// The order a resolver hands its endpoints to one channel: a random permutation drawn once per
// channel and address (weighted as RFC 2782 orders SRV targets), stable across re-resolutions.
import type { Endpoint } from "../resolver.js";

/** Orders the endpoint lists of one resolver. */
export interface EndpointOrder {
  /**
   * `endpoints` in this channel's order: each address keeps the random draw it got when first seen
   * (addresses gone from the list are forgotten), so an unchanged set keeps its order.
   */
  order(endpoints: readonly Endpoint[]): Endpoint[];
}

/**
 * Creates the per-channel order. Each address draws `u = random()` once; endpoints are sorted by
 * `u^(1/weight)` descending (Efraimidis–Spirakis), which is exactly RFC 2782's weighted ordering:
 * each position goes to one of the remaining endpoints with probability proportional to its weight.
 * Equal weights give a uniform shuffle; ties (e.g. a constant `random`) fall back to address order.
 *
 * @example
 * const order = createEndpointOrder(Math.random);
 * order.order([{ address: "10.0.0.1:80" }, { address: "10.0.0.2:80" }]); // either order, kept after
 */
export function createEndpointOrder(random: () => number): EndpointOrder {
  let draws = new Map<string, number>();
  return {
    order(endpoints) {
      const next = new Map<string, number>();
      const keyed = endpoints.map((endpoint) => {
        const u = draws.get(endpoint.address) ?? next.get(endpoint.address) ?? random();
        next.set(endpoint.address, u);
        // log(u) / w orders like u^(1/w) without underflow for small weights; u = 0 gives -Infinity.
        return { endpoint, key: Math.log(u) / (endpoint.weight ?? 1) };
      });
      draws = next;
      keyed.sort((a, b) => b.key - a.key || compareAddresses(a.endpoint.address, b.endpoint.address));
      return keyed.map((k) => k.endpoint);
    },
  };
}

function compareAddresses(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
