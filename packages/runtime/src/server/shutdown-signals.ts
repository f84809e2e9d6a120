// Graceful shutdown on process signals: SIGTERM (what orchestrators send) and SIGINT run the
// server's shutdown() once, then exit the process.
/** What {@link shutdownOnSignals} needs of a server. */
export interface ShutdownTarget {
  shutdown(options?: { readonly graceMs?: number }): Promise<void>;
}

/** Options of {@link shutdownOnSignals}. */
export interface ShutdownOnSignalsOptions {
  /** Signals to handle (default SIGTERM and SIGINT). */
  readonly signals?: readonly NodeJS.Signals[];
  /** Grace period for calls in flight, in ms (default: the server's `shutdownGraceMs`). */
  readonly graceMs?: number;
  /** Exit the process once shut down (default true; exit code 0, or 1 when shutdown failed). */
  readonly exit?: boolean;
}

/**
 * On the first of `signals`, shuts `server` down gracefully and (by default) exits; a second
 * signal while shutting down exits at once. Returns a function that removes the handlers.
 *
 * @example
 * ```ts
 * const server = await serve({ port: 8081, routes });
 * server.own(await registerWithEtcd(server, { endpoints, service: "inventory" }));
 * shutdownOnSignals(server, { graceMs: 10_000 });
 * ```
 */
export function shutdownOnSignals(server: ShutdownTarget, options: ShutdownOnSignalsOptions = {}): () => void {
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  const exit = options.exit ?? true;
  let shuttingDown = false;
  const onSignal = (): void => {
    if (shuttingDown) {
      if (exit) process.exit(1);
      return;
    }
    shuttingDown = true;
    server.shutdown(options.graceMs === undefined ? {} : { graceMs: options.graceMs }).then(
      () => {
        if (exit) process.exit(0);
      },
      (error: unknown) => {
        console.error("sluice: graceful shutdown failed", error);
        if (exit) process.exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
