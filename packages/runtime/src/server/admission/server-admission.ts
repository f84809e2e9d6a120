// serve()'s side of admission control: builds the controller from `limits` with the real clock and
// CPU, learns which methods stream from the router, and installs itself on the HTTP/2 server.
import type { Http2Server } from "node:http2";
import type { DescMethod } from "@bufbuild/protobuf";
import { createAdmissionController, type AdmissionController, type ServerLimitsStats } from "./admission-controller.js";
import type { MethodLimitsOptions, ServerLimitsOptions } from "./admission-options.js";
import { installAdmission } from "./install-admission.js";

/** Admission control of one server. @private */
export interface ServerAdmission {
  /** Records which registered methods stream (call with the router's handlers). */
  learn(handlers: readonly { readonly method: DescMethod; readonly requestPath: string }[]): void;
  /** Hooks into the server's 'stream' event (after the server is created, before it listens). */
  install(server: Http2Server): void;
  /** `server.limits`. */
  stats(): ServerLimitsStats;
  /** The report of an out-of-band load-report stream (see {@link AdmissionController.outOfBandReport}). */
  outOfBandReport: AdmissionController["outOfBandReport"];
  /** See {@link AdmissionController.watchUtilization}. */
  watchUtilization: AdmissionController["watchUtilization"];
}

/**
 * Validates `limits` and the limits `declared` in the .proto (by method path) and creates the
 * server's admission control.
 * @throws Error naming the field when a setting is out of range.
 * @private
 */
export function createServerAdmission(limits: ServerLimitsOptions, declared?: ReadonlyMap<string, MethodLimitsOptions>): ServerAdmission {
  const controller = createAdmissionController(limits, { now: () => performance.now(), cpuUsage: () => process.cpuUsage() }, declared);
  const streaming = new Set<string>();
  return {
    learn(handlers) {
      for (const h of handlers) if (h.method.methodKind !== "unary") streaming.add(h.requestPath);
    },
    install(server) {
      installAdmission(server, controller, { isStreaming: (path) => streaming.has(path) });
    },
    stats: () => controller.stats(),
    outOfBandReport: (since) => controller.outOfBandReport(since),
    watchUtilization: (listener) => controller.watchUtilization(listener),
  };
}
