// Starts one inventory server with Sluice's serve(): typed handlers registered through the
// generated registerInventoryService, health served.
import { serve, type Server } from "@sluice/runtime";
import { registerInventoryService } from "../gen/inventory/v1/inventory_sluice.js";
import { createInventoryHandlers } from "./handlers.js";
import { createInventoryStore, type InventoryStore } from "./store.js";

/** Options of one example server. */
export interface InventoryServerOptions {
  readonly port?: number;
  readonly host?: string;
  /** Name reported as `served_by` (default `host:port` is not known before listening, so "server"). */
  readonly name?: string;
  /** Extra latency of GetItem in milliseconds. */
  readonly delayMs?: number;
  readonly store?: InventoryStore;
}

/** A running example server and its store. */
export interface InventoryServer extends Server {
  readonly store: InventoryStore;
}

/** Starts an inventory server on `host:port` (default 127.0.0.1, a free port). */
export async function startInventoryServer(options: InventoryServerOptions = {}): Promise<InventoryServer> {
  const store = options.store ?? createInventoryStore();
  const handlers = createInventoryHandlers(store, { name: options.name ?? "server", delayMs: options.delayMs ?? 0 });
  const server = await serve({
    port: options.port ?? 0,
    host: options.host ?? "127.0.0.1",
    routes: (router) => registerInventoryService(router, handlers),
    shutdownGraceMs: 1000,
  });
  return Object.assign(server, { store });
}
