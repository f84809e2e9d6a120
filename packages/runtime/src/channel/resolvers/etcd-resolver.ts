// The `etcd` resolver: lists `<service>/` in etcd, then watches the prefix from the next revision
// and pushes each changed endpoint list; on any failure it keeps the last list and resyncs.
import type { Etcd3, IKeyValue, IWatchResponse, Watcher } from "etcd3";
import { createBackoff, type BackoffOptions } from "../backoff.js";
import type { Resolver, ResolverListener } from "../resolver.js";
import { formatAddress, parseEtcdTarget, type TargetUri } from "../target.js";
import { unrefTimers, type Timers } from "../timers.js";
import { openEtcdClient, validateEtcdConnection, type EtcdConnectionOptions } from "../../discovery/etcd-client.js";
import { endpointsFromEntries, servicePrefix, validateServiceName } from "../../discovery/etcd-naming.js";

/** Options of {@link createEtcdResolver}. */
export interface EtcdResolverOptions extends EtcdConnectionOptions {
  /** Service to discover: keys under `<service>/` (e.g. `inventory`, `prod/inventory`). */
  readonly service: string;
  /** Delay between resync attempts while etcd is unreachable (default 100 ms growing ×1.6 to 1 s, ±20 % jitter). */
  readonly reconnectBackoff?: BackoffOptions;
  /** Timer functions (default: global timers, unref'd). */
  readonly timers?: Timers;
  /** Randomness in [0, 1) for the backoff jitter (default `Math.random`). */
  readonly random?: () => number;
}

/** The etcd settings a channel passes for `etcd:` targets (`CreateResolverOptions.schemes.etcd`). */
export type EtcdTargetOptions = EtcdConnectionOptions & Pick<EtcdResolverOptions, "reconnectBackoff">;

/**
 * Creates a resolver for the endpoints registered under `<service>/` in etcd, in the layout of
 * etcd's gRPC naming (values `{"Op":0,"Addr":"host:port","Metadata":…}`; see docs/DISCOVERY.md).
 * It reads the prefix, then watches it from the next revision and pushes the complete, sorted
 * list after every change (only when it differs). When etcd fails (unreachable, watch cancelled,
 * compacted) it reports `onError`, keeps the last list, and reads and watches again with backoff.
 *
 * @example
 * createEtcdResolver({ service: "inventory", endpoints: ["10.0.0.5:2379"] });
 */
export function createEtcdResolver(options: EtcdResolverOptions): Resolver {
  const service = validateServiceName(options.service, "etcd.service");
  const connection = validateEtcdConnection(options, "etcd");
  const backoff = createBackoff(
    { initialMs: 100, maxMs: 1000, ...options.reconnectBackoff },
    options.random ?? Math.random,
  );
  const timers = options.timers ?? unrefTimers;
  const prefix = servicePrefix(service);

  let listener: ResolverListener | undefined;
  let closed = false;
  let client: Etcd3 | undefined = connection.client;
  const ownsClient = connection.client === undefined;
  let watcher: Watcher | undefined;
  let generation = 0;
  let timer: unknown;
  let entries = new Map<string, string>();
  let lastPushed: string | undefined;

  function push(): void {
    if (closed || listener === undefined) return;
    const endpoints = endpointsFromEntries(entries);
    const key = JSON.stringify(endpoints);
    if (key === lastPushed) return;
    lastPushed = key;
    listener.onEndpoints(endpoints);
  }

  function dropWatcher(): void {
    const w = watcher;
    watcher = undefined;
    w?.removeAllListeners();
    // A watcher that etcd3 cannot cancel (stream already gone) is simply forgotten.
    w?.on("error", () => undefined);
    void w?.cancel().catch(() => undefined);
  }

  function fail(gen: number, error: unknown): void {
    if (closed || gen !== generation) return;
    generation++;
    dropWatcher();
    const detail = error instanceof Error ? error.message : String(error);
    const kept = lastPushed === undefined ? "no endpoints yet" : "keeping the last endpoint list";
    listener?.onError(new Error(`etcd discovery of "${prefix}" failed (${detail}); ${kept}`, { cause: error }));
    const delay = backoff.next();
    timer = timers.setTimeout(() => {
      timer = undefined;
      void sync();
    }, delay);
  }

  function apply(response: IWatchResponse): void {
    for (const event of response.events) {
      const key = event.kv.key.toString();
      if (event.type === "Delete") entries.delete(key);
      else entries.set(key, event.kv.value.toString());
    }
    push();
  }

  async function sync(): Promise<void> {
    const gen = ++generation;
    try {
      if (client === undefined) {
        const opened = await openEtcdClient(connection);
        if (closed) {
          opened.close();
          return;
        }
        client = opened;
      }
      const listing = await client.getAll().prefix(prefix).exec();
      if (closed || gen !== generation) return;
      entries = new Map(listing.kvs.map((kv: IKeyValue) => [kv.key.toString(), kv.value.toString()]));
      push();
      const w = client
        .watch()
        .prefix(prefix)
        .startRevision(String(BigInt(listing.header.revision) + 1n))
        .watcher();
      watcher = w;
      w.on("connected", () => backoff.reset());
      w.on("data", (response: IWatchResponse) => {
        if (gen === generation) apply(response);
      });
      w.on("disconnected", (error: Error) => fail(gen, error));
      w.on("error", (error: Error) => fail(gen, error));
    } catch (error) {
      fail(gen, error);
    }
  }

  return {
    start(l: ResolverListener): void {
      if (listener !== undefined) {
        throw new Error("resolver already started");
      }
      if (closed) return;
      listener = l;
      void sync();
    },
    refresh(): void {
      // The watch pushes every change; while etcd is unreachable the backoff decides when to retry.
    },
    close(): void {
      if (closed) return;
      closed = true;
      generation++;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      dropWatcher();
      if (ownsClient) {
        // An open still in flight sees `closed` and closes its client itself.
        const c = client;
        client = undefined;
        c?.close();
      }
    },
  };
}

/** Builds the `etcd:` resolver of a target; the target's authority, if any, lists the etcd endpoints. @private */
export function createEtcdResolverFromTarget(uri: TargetUri, settings: unknown, timers?: Timers): Resolver {
  const parsed = parseEtcdTarget(uri);
  if (settings !== undefined && (typeof settings !== "object" || settings === null)) {
    throw new Error(`etcd: must be an object of etcd options ({ endpoints: ["host:port"], … }), got ${String(settings)}`);
  }
  const etcd = (settings ?? {}) as EtcdTargetOptions;
  const endpoints = parsed.endpoints?.map((e) => formatAddress(e.host, e.port)) ?? etcd.endpoints;
  return createEtcdResolver({ ...etcd, endpoints, service: parsed.service, timers });
}
