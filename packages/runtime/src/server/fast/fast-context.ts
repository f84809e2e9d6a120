// The HandlerContext of a fast-path call: everything a typed handler reads, with the costly parts
// (AbortSignal, fetch Headers, context values) created only when first read.
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { createContextValues, type ContextValues, type HandlerContext } from "@connectrpc/connect";
import type { IncomingHttpHeaders } from "node:http2";
import { toWebHeaders } from "../../transport/node-headers.js";

/** The request URL a handler's context reports, from the HTTP/2 pseudo-headers. @private */
export function requestUrl(headers: IncomingHttpHeaders): string {
  return `http://${(headers[":authority"] as string | undefined) ?? "localhost"}${headers[":path"] as string}`;
}

/**
 * The context of a call to `method` whose request carried `headers`.
 * @private
 */
export function callContext(
  method: DescMethod,
  protocolName: string,
  headers: IncomingHttpHeaders,
  timeoutMs: number | undefined,
  shutdownSignal: AbortSignal | undefined,
  initValues: (() => ContextValues) | undefined,
): FastContext {
  return new FastContext(method, method.parent, protocolName, requestUrl(headers), headers, timeoutMs, shutdownSignal, initValues);
}

let callOverReason: DOMException | undefined;

/** The reason a call's signal aborts with when the call is over without an error: an AbortError, frozen and shared. */
function callOver(): DOMException {
  return (callOverReason ??= Object.freeze(new DOMException("This operation was aborted", "AbortError")));
}

/** A HandlerContext that the fast server path can abort and read back. @private */
export class FastContext implements HandlerContext {
  readonly requestMethod = "POST";
  private controller: AbortController | undefined;
  private abortReason: unknown;
  private aborted = false;
  private reqHeader: Headers | undefined;
  private resHeader: Headers | undefined;
  private resTrailer: Headers | undefined;
  private ctxValues: ContextValues | undefined;
  private readonly deadline: number | undefined;

  constructor(
    readonly method: DescMethod,
    readonly service: DescService,
    readonly protocolName: string,
    readonly url: string,
    private readonly rawHeader: IncomingHttpHeaders,
    timeoutMs: number | undefined,
    private readonly shutdownSignal: AbortSignal | undefined,
    private readonly initValues?: () => ContextValues,
  ) {
    this.deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      const controller = new AbortController();
      this.controller = controller;
      if (this.aborted) controller.abort(this.abortReason);
      else if (this.shutdownSignal !== undefined) {
        if (this.shutdownSignal.aborted) controller.abort(this.shutdownSignal.reason);
        else {
          const shutdown = this.shutdownSignal;
          this.onShutdown = () => this.abort(shutdown.reason);
          shutdown.addEventListener("abort", this.onShutdown);
        }
      }
    }
    return this.controller.signal;
  }

  private onShutdown: (() => void) | undefined;

  timeoutMs(): number | undefined {
    return this.deadline === undefined ? undefined : this.deadline - Date.now();
  }

  get requestHeader(): Headers {
    return (this.reqHeader ??= toWebHeaders(this.rawHeader));
  }
  get responseHeader(): Headers {
    return (this.resHeader ??= new Headers());
  }
  get responseTrailer(): Headers {
    return (this.resTrailer ??= new Headers());
  }
  get values(): ContextValues {
    return (this.ctxValues ??= this.initValues?.() ?? createContextValues());
  }

  /** Response headers set by the handler, if it touched them. */
  get responseHeaderIfAny(): Headers | undefined {
    return this.resHeader;
  }
  /** Response trailers set by the handler, if it touched them. */
  get responseTrailerIfAny(): Headers | undefined {
    return this.resTrailer;
  }

  /**
   * Aborts the signal (once); a signal not yet read is created already aborted. Without a reason
   * (the call ended normally) the reason is one shared AbortError, as `abort()` would make, but
   * without building a new DOMException and its stack trace for every call.
   */
  abort(reason: unknown = callOver()): void {
    if (this.aborted) return;
    this.aborted = true;
    this.abortReason = reason;
    if (this.onShutdown !== undefined) this.shutdownSignal?.removeEventListener("abort", this.onShutdown);
    this.controller?.abort(reason);
  }

  /** Releases listeners once the call is over, without aborting. */
  release(): void {
    if (this.onShutdown !== undefined) this.shutdownSignal?.removeEventListener("abort", this.onShutdown);
  }
}

/**
 * The request interceptors see for a fast-path call, as Connect's adapter builds it: `stream` and
 * `message` as given, the rest read from `context` (its signal only when an interceptor reads it).
 * @private
 */
export function interceptorRequest<M>(context: FastContext, stream: boolean, message: M) {
  return {
    stream,
    service: context.service,
    method: context.method,
    requestMethod: "POST",
    url: context.url,
    get signal() {
      return context.signal;
    },
    header: context.requestHeader,
    contextValues: context.values,
    message,
  };
}
