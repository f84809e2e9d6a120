// A call-pipeline layer: wraps the Transport below it and is composed outermost-first.
import type { Transport } from "@connectrpc/connect";
/** One stage of the call pipeline: takes the transport below and returns the one callers use. */
export type TransportLayer = (next: Transport) => Transport;
