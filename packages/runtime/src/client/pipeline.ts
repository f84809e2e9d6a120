// Composes the call pipeline: layers listed outermost first, each wrapping the one after it, the
// last wrapping the transport (a channel or any Connect transport).
import type { Transport } from "@connectrpc/connect";
import type { TransportLayer } from "./layer.js";

/**
 * Returns the transport callers use: `layers[0]` sees a call first, the transport last.
 *
 * @example
 * ```ts
 * const pipeline = composePipeline(channel, [interceptorLayer([auth]), defaultsLayer]);
 * ```
 */
export function composePipeline(transport: Transport, layers: readonly TransportLayer[]): Transport {
  let composed = transport;
  for (let i = layers.length - 1; i >= 0; i--) composed = layers[i]!(composed);
  return composed;
}
