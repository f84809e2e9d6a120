// Entry of every benchmark child process: hosts a server or a load generator and answers the runner.
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, resolve } from "node:path";
import type { BenchCaller, BenchServer, CreateCaller, StartServer } from "./contracts.js";
import { isWorkerEnvelope, type WorkerEnvelope, type WorkerReply } from "./ipc.js";
import { runLoadPhase } from "./load-loop.js";
import { createResourceMeter, type ResourceMeter } from "./resource-meter.js";
import type { ProcessSpec } from "./scenario.js";

const srcRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
let server: BenchServer | undefined;
let caller: BenchCaller | undefined;
let meter: ResourceMeter | undefined;

async function loadExport(spec: ProcessSpec, name: string): Promise<unknown> {
  const mod: Record<string, unknown> = await import(pathToFileURL(resolve(srcRoot, spec.module)).href);
  const value = mod[name];
  if (typeof value !== "function") throw new Error(`${spec.module} does not export a function "${name}"`);
  return value;
}

async function handle(request: WorkerEnvelope): Promise<WorkerReply> {
  switch (request.op) {
    case "start-server": {
      const start = (await loadExport(request.spec, "startServer")) as StartServer;
      server = await start(request.spec.options ?? {});
      return { id: request.id, ok: true, value: { ports: server.ports } };
    }
    case "create-caller": {
      const create = (await loadExport(request.spec, "createCaller")) as CreateCaller;
      caller = await create(request.ports, request.spec.options ?? {});
      return { id: request.id, ok: true, value: null };
    }
    case "configure": {
      if (server === undefined) throw new Error("configure before start-server");
      if (server.configure === undefined) throw new Error("this server module takes no point arguments (no configure())");
      server.configure(request.args);
      return { id: request.id, ok: true, value: null };
    }
    case "phase": {
      if (caller === undefined) throw new Error("phase before create-caller");
      return { id: request.id, ok: true, value: await runLoadPhase(caller, request.phase) };
    }
    case "mark":
      meter?.stop();
      meter = createResourceMeter();
      server?.mark?.();
      return { id: request.id, ok: true, value: null };
    case "report": {
      if (meter === undefined) throw new Error("report before mark");
      const resources = meter.stop();
      meter = undefined;
      const counters = server?.counters?.();
      const gauges = server?.gauges?.();
      const series = server?.series?.();
      return {
        id: request.id,
        ok: true,
        value: { ...resources, ...(counters !== undefined ? { counters } : {}), ...(gauges !== undefined ? { gauges } : {}), ...(series !== undefined ? { series } : {}) },
      };
    }
    case "stop":
      meter?.stop();
      await caller?.close();
      await server?.close();
      caller = undefined;
      server = undefined;
      return { id: request.id, ok: true, value: null };
  }
}

process.on("message", (message: unknown) => {
  if (!isWorkerEnvelope(message)) return;
  handle(message)
    .catch((e: unknown): WorkerReply => ({ id: message.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }))
    .then((reply) => {
      process.send?.(reply, undefined, undefined, () => {
        // Exit after the stop reply is flushed; a normal exit lets --cpu-prof write its profile.
        if (message.op === "stop") process.exit(0);
      });
    });
});
process.on("disconnect", () => process.exit(0));
