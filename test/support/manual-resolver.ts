// Test support: a resolver the test drives by hand, pushing whole endpoint lists to the channel.
import type { Endpoint, Resolver, ResolverListener } from "@sluice/runtime";

/** A resolver with a `push` that delivers an endpoint list as a real resolver would. */
export interface ManualResolver extends Resolver {
  push(endpoints: Endpoint[]): void;
}

/** Creates a resolver that reports only what the test pushes. */
export function manualResolver(): ManualResolver {
  let listener: ResolverListener | undefined;
  return {
    start: (l) => void (listener = l),
    refresh() {},
    close: () => void (listener = undefined),
    push: (endpoints) => listener?.onEndpoints(endpoints),
  };
}
