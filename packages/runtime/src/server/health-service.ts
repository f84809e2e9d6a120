// The server side of grpc.health.v1: per-service serving status set by the application, served
// by Check (unary) and Watch (server-streaming), and flipped to NOT_SERVING on shutdown.

import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import {
  Health,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as ServingStatus,
  type HealthCheckRequest,
  type HealthCheckResponse,
} from "../gen/grpc/health/v1/health_pb.js";

/** A status the application can set for a service. */
export type HealthStatus = "UNKNOWN" | "SERVING" | "NOT_SERVING";

/** Options of {@link createHealthService}. */
export interface HealthServiceOptions {
  /** Status of the whole server (the "" service) at creation; default "SERVING". */
  readonly serverStatus?: HealthStatus;
}

/** The health service of one server. */
export interface HealthService {
  /** Sets the status of `service` ("" is the whole server) and tells its watchers. Ignored after shutdown(). */
  setStatus(service: string, status: HealthStatus): void;
  /** Forgets `service`: Check answers NOT_FOUND, watchers get SERVICE_UNKNOWN. Ignored after shutdown(). */
  clearStatus(service: string): void;
  /** The status of `service`, or `undefined` when it was never set. */
  getStatus(service: string): HealthStatus | undefined;
  /** Registers grpc.health.v1.Health (Check and Watch) on a Connect router. */
  register(router: ConnectRouter): void;
  /** Sets every service NOT_SERVING, sends that to watchers and ends their streams. */
  shutdown(): void;
  /** Number of open Watch streams (for tests and stats). */
  watcherCount(): number;
}

const statusToEnum: Record<HealthStatus, ServingStatus> = {
  UNKNOWN: ServingStatus.UNKNOWN,
  SERVING: ServingStatus.SERVING,
  NOT_SERVING: ServingStatus.NOT_SERVING,
};

/** One open Watch stream: woken on every change of the service's status, and at shutdown. */
type Watcher = () => void;

/**
 * Creates a health service. The "" service (the whole server) starts SERVING unless
 * `serverStatus` says otherwise; other services are unknown until `setStatus` names them.
 *
 * @example
 * const health = createHealthService();
 * health.setStatus("inventory.v1.InventoryService", "SERVING");
 * connectNodeAdapter({ routes: (router) => { health.register(router); registerInventory(router, impl); } });
 */
export function createHealthService(options: HealthServiceOptions = {}): HealthService {
  const serverStatus = options.serverStatus ?? "SERVING";
  if (!(serverStatus in statusToEnum)) {
    throw new Error(`createHealthService: serverStatus "${serverStatus}" is not one of UNKNOWN, SERVING, NOT_SERVING`);
  }
  const statuses = new Map<string, HealthStatus>([["", serverStatus]]);
  const watchers = new Map<string, Set<Watcher>>();
  let shutDown = false;

  function notify(service: string): void {
    for (const wake of watchers.get(service) ?? []) {
      wake();
    }
  }

  function current(service: string): ServingStatus {
    const s = statuses.get(service);
    return s === undefined ? ServingStatus.SERVICE_UNKNOWN : statusToEnum[s];
  }

  function response(status: ServingStatus): HealthCheckResponse {
    return create(HealthCheckResponseSchema, { status });
  }

  async function* watch(req: HealthCheckRequest, ctx: HandlerContext): AsyncGenerator<HealthCheckResponse> {
    const service = req.service;
    let wake: (() => void) | undefined;
    let dirty = true;
    const watcher: Watcher = () => {
      dirty = true;
      wake?.();
    };
    const onAbort = (): void => watcher();
    let set = watchers.get(service);
    if (set === undefined) {
      set = new Set();
      watchers.set(service, set);
    }
    set.add(watcher);
    ctx.signal.addEventListener("abort", onAbort);
    let sent: ServingStatus | undefined;
    try {
      while (!ctx.signal.aborted) {
        if (dirty) {
          dirty = false;
          const status = current(service);
          if (status !== sent) {
            sent = status;
            yield response(status);
          }
          if (shutDown) {
            return;
          }
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      ctx.signal.removeEventListener("abort", onAbort);
      set.delete(watcher);
      if (set.size === 0 && watchers.get(service) === set) {
        watchers.delete(service);
      }
    }
  }

  return {
    setStatus(service, status) {
      if (!(status in statusToEnum)) {
        throw new Error(`setStatus: status "${status}" is not one of UNKNOWN, SERVING, NOT_SERVING`);
      }
      if (shutDown || statuses.get(service) === status) {
        return;
      }
      statuses.set(service, status);
      notify(service);
    },
    clearStatus(service) {
      if (shutDown || !statuses.delete(service)) {
        return;
      }
      notify(service);
    },
    getStatus(service) {
      return statuses.get(service);
    },
    register(router) {
      router.service(Health, {
        check(req) {
          const status = statuses.get(req.service);
          if (status === undefined) {
            throw new ConnectError(`health: unknown service "${req.service}"`, Code.NotFound);
          }
          return response(statusToEnum[status]);
        },
        watch,
      });
    },
    shutdown() {
      if (shutDown) {
        return;
      }
      shutDown = true;
      for (const service of statuses.keys()) {
        statuses.set(service, "NOT_SERVING");
      }
      for (const set of watchers.values()) {
        for (const wake of set) {
          wake();
        }
      }
    },
    watcherCount() {
      let n = 0;
      for (const set of watchers.values()) {
        n += set.size;
      }
      return n;
    },
  };
}
