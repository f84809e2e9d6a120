// The methods the fast server path may serve itself, keyed by request path, and the recording
// ConnectRouter that fills the table while registering everything on the real router too.
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, MethodImpl, ServiceImpl } from "@connectrpc/connect";

/** A registered typed handler of one method. @private */
export interface FastMethod {
  readonly method: DescMethod;
  readonly service: DescService;
  /** The handler, bound to its service implementation object. */
  readonly impl: (input: never, context: never) => unknown;
}

/** Path (`/pkg.Service/Method`) → registered handler. @private */
export type FastMethodTable = Map<string, FastMethod>;

function plainOptions(options: object | undefined): boolean {
  // Per-registration options (own interceptors, limits, codecs) are honoured by Connect's adapter:
  // such methods always take the fallback.
  return options === undefined || Object.values(options).every((v) => v === undefined);
}

/**
 * Returns a ConnectRouter that forwards every registration to `router` and records the typed
 * handlers of registrations without options in `table`.
 * @private
 */
export function createRecordingRouter(router: ConnectRouter, table: FastMethodTable): ConnectRouter {
  const record = (method: DescMethod, impl: unknown, self: unknown): void => {
    if (typeof impl !== "function") return;
    table.set(`/${method.parent.typeName}/${method.name}`, {
      method,
      service: method.parent,
      impl: (impl as (...args: unknown[]) => unknown).bind(self) as FastMethod["impl"],
    });
  };
  const proxy = {
    get handlers() {
      return router.handlers;
    },
    service<T extends DescService>(service: T, implementation: Partial<ServiceImpl<T>>, options?: object) {
      router.service(service, implementation, options);
      if (plainOptions(options)) {
        for (const method of service.methods) {
          record(method, (implementation as Record<string, unknown>)[method.localName], implementation);
        }
      }
      return proxy;
    },
    rpc<M extends DescMethod>(method: M, impl: MethodImpl<M>, options?: object) {
      router.rpc(method, impl, options);
      if (plainOptions(options)) record(method, impl, undefined);
      return proxy;
    },
  };
  return proxy as unknown as ConnectRouter;
}
