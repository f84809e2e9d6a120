// serve(): a Connect router on node's HTTP/2 server (h2c, or TLS with HTTP/1.1 beside it) speaking
// Connect, gRPC and gRPC-Web, with grpc.health.v1, hardening limits for a public endpoint, admission
// control, and a graceful shutdown (deregister, NOT_SERVING, GOAWAY, grace period, then cancel).
import * as http2 from "node:http2";
import type { AddressInfo, Server as NetServer } from "node:net";
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import type { Compression } from "@connectrpc/connect/protocol";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { BinaryReadOptions, BinaryWriteOptions, JsonReadOptions, JsonWriteOptions } from "@bufbuild/protobuf";
import { createHealthService, type HealthService } from "./health-service.js";
import { createLoadReportStreams, type LoadReportStreams, type OutOfBandReportSource } from "./load-report-service.js";
import { unimplementedFallback } from "./unimplemented-fallback.js";
import { createRecordingRouter, type FastMethodTable } from "./fast/method-table.js";
import { defaultReadMaxBytes } from "../transport/codec.js";
import { openConnectionWindow, resolveFlowControl, serverFlowControlDefaults, withStreamWindow, type FlowControlOptions } from "../transport/flow-control.js";
import type { MethodLimitsOptions, ServerLimitsOptions } from "./admission/admission-options.js";
import { declaredMethodLimits } from "./admission/declared-limits.js";
import type { ServerLimitsStats } from "./admission/admission-controller.js";
import { createServerAdmission } from "./admission/server-admission.js";
import type { StreamListener } from "./fast/fast-stream-handler.js";
import { createFastHttp2Server, nodeFallback, serverTransports, type ServerTransport } from "./fast/fast-server.js";
import { resolveHardening, type ServerHardeningOptions } from "./hardening/hardening-options.js";
import { hardenHttp2Options, hardenServer, withDeadlinesFitForTimers } from "./hardening/harden-server.js";
import { guardStreams } from "./hardening/stream-guard.js";
import type { ServiceRegistration } from "../discovery/service-registration.js";
import { shutdownOnSignals } from "./shutdown-signals.js";
import { validateServerTls, type SecureContextInput, type ServerTlsOptions } from "./tls/server-tls-options.js";
import { createFrontDoor } from "./tls/front-door.js";
import { peerContextValues } from "./tls/tls-peer.js";

/** Options of {@link serve}. */
export interface ServeOptions {
  /** Registers the services, e.g. `(router) => registerInventoryService(router, impl)`. */
  readonly routes: (router: ConnectRouter) => void;
  /** TCP port; 0 (default) picks a free one (read it from `server.port`). */
  readonly port?: number;
  /** Interface to listen on (default all interfaces, as node's servers do; tests pass "127.0.0.1"). */
  readonly host?: string;
  /** Serve grpc.health.v1.Health (default true): "" and every registered service start SERVING. */
  readonly health?: boolean;
  /** How long shutdown() lets calls in flight finish before cancelling them (default 5 s). */
  readonly shutdownGraceMs?: number;
  /**
   * Shut down gracefully on SIGTERM and SIGINT, then exit the process (default false); see
   * {@link shutdownOnSignals} to choose the signals or keep the process running.
   */
  readonly handleSignals?: boolean;
  /** Connect interceptors run around every handler. */
  readonly interceptors?: Interceptor[];
  /** Largest request message accepted, in bytes (default 4 MiB). */
  readonly readMaxBytes?: number;
  /** Largest response message sent, in bytes. */
  readonly writeMaxBytes?: number;
  /** Upper bound on a client's requested timeout, in milliseconds. */
  readonly maxTimeoutMs?: number;
  readonly acceptCompression?: Compression[];
  readonly compressMinBytes?: number;
  readonly jsonOptions?: Partial<JsonReadOptions & JsonWriteOptions>;
  readonly binaryOptions?: Partial<BinaryReadOptions & BinaryWriteOptions>;
  /**
   * `"sluice"` (default): gRPC and Connect calls of every shape with binary protobuf and no
   * compression go straight to the typed handlers (interceptors included); everything else
   * (gRPC-Web, JSON, compression, Connect GET) to Connect's node adapter. `"connect-node"`:
   * every call through Connect's node adapter. See docs/TRANSPORTS.md.
   */
  readonly transport?: ServerTransport;
  /**
   * Limits for a public endpoint: concurrent streams per connection, header list size, connections,
   * first-request, idle and stalled-request timeouts, GOAWAY grace. See {@link ServerHardeningOptions}
   * for the defaults; docs/SERVER.md.
   */
  readonly hardening?: ServerHardeningOptions;
  /**
   * Options for node's `http2.createServer`; `settings.maxConcurrentStreams` and
   * `settings.maxHeaderListSize` are set from `hardening`, `settings.initialWindowSize` (when not
   * given here) from `flowControl`.
   */
  readonly http2Options?: http2.ServerOptions;
  /**
   * Receive windows of each connection: how much a client may send before the server reads it
   * (default 65,535 bytes per stream, 2 MiB per connection; see docs/TRANSPORTS.md).
   */
  readonly flowControl?: FlowControlOptions;
  /**
   * Admission control: concurrency and rate limits, applied before a request body is read. Limits
   * the registered services declare in their .proto (`(sluice.v1.method).limit`) apply even without
   * this option. See docs/LIMITS.md.
   */
  readonly limits?: ServerLimitsOptions;
  /**
   * Serve over TLS (ALPN `h2`, and `http/1.1` unless `allowHttp1` is false), with mutual TLS when
   * `requestCert` is set. Default: h2c. See docs/TLS.md.
   */
  readonly tls?: ServerTlsOptions;
  /** Also serve HTTP/1.1 (Connect and gRPC-Web from browsers and curl): default true with `tls`, false on h2c. */
  readonly allowHttp1?: boolean;
  /** Drop a connection whose TLS handshake (on h2c with `allowHttp1`: first bytes) has not completed in this time (default 10 s). */
  readonly handshakeTimeoutMs?: number;
}

/** A running server. */
export interface Server {
  /** The port actually bound. */
  readonly port: number;
  readonly host: string;
  /** `http://host:port` (`https://` with `tls`), for a plain Connect transport's `baseUrl`. */
  readonly url: string;
  /** The health service (also when not served, so status can be set before enabling it). */
  readonly health: HealthService;
  /** The underlying node HTTP/2 server (with `tls` or `allowHttp1` it does not listen itself: it is handed the HTTP/2 connections). */
  readonly http2Server: http2.Http2Server;
  /**
   * Admission state: the server's limit, in flight, queued, shed, each method limiter's, and the
   * load report; undefined without `limits` and without limits declared in the .proto.
   */
  readonly limits: ServerLimitsStats | undefined;
  /**
   * Replaces the certificate and key (and the CAs trusted for client certificates) of a TLS server:
   * new connections use them, open connections and their calls go on undisturbed. Throws on a
   * server started without `tls`.
   */
  setSecureContext(input: SecureContextInput): void;
  /** The server that listens: `http2Server` itself on plain h2c, else the TLS (or h2c/HTTP/1.1-sniffing) server in front of it. */
  readonly listener: NetServer;
  /**
   * Makes the server own a discovery registration (etcd or the embedded registry): shutdown()
   * revokes it before anything else. Returns it.
   */
  own<R extends ServiceRegistration>(registration: R): R;
  /**
   * Shuts down gracefully: health turns NOT_SERVING, owned and given registrations are revoked
   * (clients stop picking the server), new connections are refused, every open session gets
   * GOAWAY, calls in flight get `graceMs` (default `shutdownGraceMs`) to finish, then are
   * cancelled. Calling it again returns the same promise.
   */
  shutdown(options?: ShutdownOptions): Promise<void>;
  /** The same as `shutdown()` with the default grace period. */
  close(): Promise<void>;
}

/** Options of {@link Server.shutdown}. */
export interface ShutdownOptions {
  /** How long calls in flight may take to finish before they are cancelled, in ms (default `shutdownGraceMs`). */
  readonly graceMs?: number;
  /** Registrations to revoke first, besides the ones the server owns. */
  readonly registrations?: readonly ServiceRegistration[];
}

/**
 * Starts a server.
 *
 * @example
 * ```ts
 * const server = await serve({ port: 8081, routes: (router) => registerInventoryService(router, impl) });
 * ```
 */
export async function serve(options: ServeOptions): Promise<Server> {
  if (typeof options.routes !== "function") {
    throw new Error("routes: must be a function that registers services, e.g. (router) => registerXxx(router, impl)");
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`port: must be an integer from 0 to 65535, got ${String(options.port)}`);
  }
  const shutdownGraceMs = options.shutdownGraceMs ?? 5000;
  if (!Number.isFinite(shutdownGraceMs) || shutdownGraceMs < 0) {
    throw new Error(`shutdownGraceMs: must be a finite number >= 0, got ${String(options.shutdownGraceMs)}`);
  }
  if (options.transport !== undefined && !serverTransports.includes(options.transport)) {
    throw new Error(`transport: unknown transport "${String(options.transport)}"; accepted: ${serverTransports.join(", ")}`);
  }
  const hardening = resolveHardening(options.hardening);
  const flow = resolveFlowControl(options.flowControl, serverFlowControlDefaults, "flowControl");
  if (options.tls !== undefined) validateServerTls(options.tls);
  if (options.allowHttp1 !== undefined && typeof options.allowHttp1 !== "boolean") {
    throw new Error(`allowHttp1: must be a boolean, got ${String(options.allowHttp1)}`);
  }
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
  if (!Number.isFinite(handshakeTimeoutMs) || handshakeTimeoutMs <= 0) {
    throw new Error(`handshakeTimeoutMs: must be a finite number > 0, got ${String(options.handshakeTimeoutMs)}`);
  }
  const health = createHealthService();
  const serveHealth = options.health ?? true;
  const loadReportStreams = outOfBandStreams(options.limits, {
    report: (since) => admission!.outOfBandReport(since),
    watchUtilization: (listener) => admission!.watchUtilization(listener),
  });
  const fastTable: FastMethodTable | undefined = options.transport === "connect-node" ? undefined : new Map();
  let registered: ConnectRouter["handlers"] = [];
  let declaredLimits: ReadonlyMap<string, MethodLimitsOptions> = new Map();
  const handler = connectNodeAdapter({
    routes(connectRouter) {
      const router = fastTable === undefined ? connectRouter : createRecordingRouter(connectRouter, fastTable);
      options.routes(router);
      registered = router.handlers;
      declaredLimits = declaredMethodLimits(router);
      // Out-of-band load reports wherever the server sends load reports: with `limits` or declared limits.
      if (loadReportStreams !== undefined && (options.limits !== undefined || declaredLimits.size > 0)) loadReportStreams.register(router);
      if (serveHealth) {
        for (const h of router.handlers) health.setStatus(h.service.typeName, "SERVING");
        health.setStatus("", "SERVING");
        health.register(router);
      }
    },
    interceptors: options.interceptors,
    readMaxBytes: options.readMaxBytes ?? defaultReadMaxBytes,
    writeMaxBytes: options.writeMaxBytes,
    maxTimeoutMs: options.maxTimeoutMs,
    acceptCompression: options.acceptCompression,
    compressMinBytes: options.compressMinBytes,
    jsonOptions: options.jsonOptions,
    binaryOptions: options.binaryOptions,
    fallback: unimplementedFallback,
    contextValues: options.tls === undefined ? undefined : (req) => peerContextValues(req.socket),
  });
  // Admission control, from `limits` and from the limits the registered services declare in their
  // .proto (connectNodeAdapter ran `routes` synchronously above).
  const admission =
    options.limits === undefined && declaredLimits.size === 0 ? undefined : createServerAdmission(options.limits ?? {}, declaredLimits);
  admission?.learn(registered);
  const adapter = withDeadlinesFitForTimers(handler, options.maxTimeoutMs);
  const http2Options = hardenHttp2Options(
    { ...options.http2Options, settings: withStreamWindow(options.http2Options?.settings, flow) },
    hardening,
  );
  const guard = (listener: StreamListener): StreamListener => guardStreams(listener, hardening);
  const http2Server =
    fastTable === undefined
      ? http2.createServer(http2Options).on("stream", guard(nodeFallback(adapter)))
      : createFastHttp2Server(
          http2Options,
          adapter,
          {
            table: fastTable,
            interceptors: options.interceptors,
            readMaxBytes: options.readMaxBytes ?? defaultReadMaxBytes,
            writeMaxBytes: options.writeMaxBytes,
            maxTimeoutMs: options.maxTimeoutMs,
            binaryOptions: options.binaryOptions,
            contextValues: options.tls === undefined ? undefined : (stream) => peerContextValues(stream.session?.socket),
          },
          guard,
        );
  // Admission wraps the 'stream' listeners registered so far: it must come right after them.
  admission?.install(http2Server);
  hardenServer(http2Server, hardening);
  const front = createFrontDoor({
    tls: options.tls,
    allowHttp1: options.allowHttp1 ?? options.tls !== undefined,
    handshakeTimeoutMs,
    http2Server,
    http1Handler: adapter,
  });
  const listener = front.listener;
  // The connection limit applies where connections are accepted (the TLS or sniffing front door).
  listener.maxConnections = hardening.maxConnections;
  const sessions = new Set<http2.ServerHttp2Session>();
  http2Server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    // Only once the client has spoken HTTP/2 (its SETTINGS): a connection that never does gets no
    // extra frame to stall on while the hardening timers end it.
    session.once("remoteSettings", () => openConnectionWindow(session, flow));
    // A peer that vanishes must never take the process down.
    session.on("error", () => session.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen(port, options.host, () => {
      listener.off("error", reject);
      resolve();
    });
  });
  const address = listener.address() as AddressInfo;
  const host = options.host ?? address.address;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  const owned = new Set<ServiceRegistration>();
  const server: Server = {
    port: address.port,
    host,
    url: `${front.scheme}://${urlHost}:${address.port}`,
    health,
    http2Server,
    setSecureContext: (input) => front.setSecureContext(input),
    listener,
    get limits() {
      return admission?.stats();
    },
    own(registration) {
      owned.add(registration);
      return registration;
    },
    close: () => server.shutdown(),
    shutdown(shutdownOptions = {}) {
      const graceMs = shutdownOptions.graceMs ?? shutdownGraceMs;
      if (!(Number.isFinite(graceMs) && graceMs >= 0)) {
        return Promise.reject(new Error(`shutdown.graceMs: must be a finite number >= 0, got ${String(shutdownOptions.graceMs)}`));
      }
      closing ??= (async () => {
        health.shutdown();
        loadReportStreams?.shutdown();
        const graceOver = Date.now() + graceMs;
        const grace = (): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, graceOver - Date.now())).unref());
        // Deregister first, so clients stop picking this server while it still serves; an
        // unreachable registry costs at most the grace period.
        const revoking = [...owned, ...(shutdownOptions.registrations ?? [])].map((r) => r.close().catch(() => {}));
        await Promise.race([Promise.all(revoking), grace()]);
        const stopped = new Promise<void>((resolve) => listener.close(() => resolve()));
        for (const session of sessions) session.close();
        front.closeIdleConnections();
        await Promise.race([stopped, grace()]);
        // Destroying a session resets its streams, which aborts each handler's context.signal. (No
        // shutdownSignal is given to Connect: it would add an abort listener per call.)
        for (const session of sessions) session.destroy();
        front.destroyConnections();
        await stopped;
      })();
      return closing;
    },
  };
  if (options.handleSignals === true) shutdownOnSignals(server);
  return server;
}

/**
 * The out-of-band load-report service `limits` asks for (undefined when load reports or their
 * out-of-band stream are off).
 * @throws Error naming `limits.loadReport.outOfBand…` for a bad setting.
 */
function outOfBandStreams(limits: ServerLimitsOptions | undefined, source: OutOfBandReportSource): LoadReportStreams | undefined {
  const loadReport = limits?.loadReport;
  if (loadReport === false) return undefined;
  const outOfBand = typeof loadReport === "object" ? loadReport.outOfBand : undefined;
  if (outOfBand === false) return undefined;
  if (outOfBand !== undefined && outOfBand !== true && (outOfBand === null || typeof outOfBand !== "object")) {
    throw new Error(`limits.loadReport.outOfBand: must be a boolean or { minIntervalMs, changeThreshold }, got ${String(outOfBand)}`);
  }
  return createLoadReportStreams(source, typeof outOfBand === "object" ? outOfBand : {});
}
