// The events a channel reports to onEvent listeners: endpoint state changes, resolver updates and
// errors, ejections.
import type { ConnectivityState } from "./connectivity-state.js";

/** Something that happened on a channel, for dashboards, logs and tests. */
export type ChannelEvent =
  | { readonly type: "state"; readonly address: string; readonly state: ConnectivityState; readonly healthy: boolean }
  | { readonly type: "endpoints"; readonly addresses: readonly string[] }
  | { readonly type: "resolver-error"; readonly error: Error }
  | { readonly type: "ejected" | "returned"; readonly address: string };
