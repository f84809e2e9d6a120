// The server-side limits a service declares in its .proto (`(sluice.v1.method).limit`), recorded
// per router by registerService so that serve() can apply them to the methods it registered.
import type { ConnectRouter } from "@connectrpc/connect";
import type { MethodLimitsOptions } from "./admission-options.js";

const byRouter = new WeakMap<ConnectRouter, Map<string, MethodLimitsOptions>>();

/**
 * Records that the method at `path` (`"/pkg.Service/Method"`), registered on `router`, declares
 * `limits`. A later declaration for the same path replaces the earlier one.
 * @private
 */
export function declareMethodLimits(router: ConnectRouter, path: string, limits: MethodLimitsOptions): void {
  let declared = byRouter.get(router);
  if (declared === undefined) {
    declared = new Map();
    byRouter.set(router, declared);
  }
  declared.set(path, limits);
}

/** The limits declared by the services registered on `router`, by method path. @private */
export function declaredMethodLimits(router: ConnectRouter): ReadonlyMap<string, MethodLimitsOptions> {
  return byRouter.get(router) ?? new Map();
}
