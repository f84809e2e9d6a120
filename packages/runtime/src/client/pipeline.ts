// Composes the call pipeline: layers listed outermost first, each wrapping the one after it, the
// last wrapping the transport (a channel or any Connect transport).
import type { Transport } from "@connectrpc/connect";
import { attachCallCredentials, callCredentialsOf } from "../channel/call-credentials.js";
import type { TransportLayer } from "./layer.js";

/**
 * Returns the transport callers use: `layers[0]` sees a call first, the transport last. Each
 * layer's transport is known to carry the call credentials of `transport` (a channel's
 * `credentials`), so a layer can find them with `callCredentialsOf(next)`.
 *
 * @example
 * ```ts
 * const pipeline = composePipeline(channel, [interceptorLayer([auth]), defaultsLayer]);
 * ```
 */
export function composePipeline(transport: Transport, layers: readonly TransportLayer[]): Transport {
  const credentials = callCredentialsOf(transport);
  let composed = transport;
  for (let i = layers.length - 1; i >= 0; i--) {
    composed = layers[i]!(composed);
    attachCallCredentials(composed, credentials);
  }
  return composed;
}
