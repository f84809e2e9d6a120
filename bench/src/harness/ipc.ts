// The request/response protocol between the runner and its worker processes (over fork IPC).
import type { Json, JsonObject, LoadPhase, PhaseResult, ProcessSpec, ServerReport } from "./scenario.js";

/** Requests the runner sends to a worker, each answered once. */
export type WorkerRequest =
  | { readonly op: "start-server"; readonly spec: ProcessSpec }
  | { readonly op: "create-caller"; readonly spec: ProcessSpec; readonly ports: readonly number[] }
  | { readonly op: "configure"; readonly args: JsonObject }
  | { readonly op: "phase"; readonly phase: LoadPhase }
  | { readonly op: "mark" }
  | { readonly op: "report" }
  | { readonly op: "stop" };

/** The value each request resolves with. */
export interface WorkerReplies {
  "start-server": { readonly ports: readonly number[] };
  "create-caller": null;
  configure: null;
  phase: PhaseResult;
  mark: null;
  report: ServerReport;
  stop: null;
}

/** A request on the wire. */
export type WorkerEnvelope = WorkerRequest & { readonly id: number };

/** A reply on the wire. */
export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly value: Json | PhaseResult | ServerReport | { readonly ports: readonly number[] } }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** Narrows an unknown IPC message to a reply. */
export function isWorkerReply(message: unknown): message is WorkerReply {
  return typeof message === "object" && message !== null && "id" in message && "ok" in message;
}

/** Narrows an unknown IPC message to a request. */
export function isWorkerEnvelope(message: unknown): message is WorkerEnvelope {
  return typeof message === "object" && message !== null && "id" in message && "op" in message;
}
