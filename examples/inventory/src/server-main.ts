// Process entry of one example server: `node server-main.js [--port N] [--name S] [--delay-ms N]
// [--service S --etcd host:port | --registry parent]`. Reports `{ port }` to a parent process over
// IPC (or prints it), registers for discovery, and shuts down gracefully on SIGTERM.
import { parseArgs } from "node:util";
import { registerWithEtcd, shutdownOnSignals, type ServiceRegistration } from "@sluice/runtime";
import { startInventoryServer } from "./server.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
    name: { type: "string", default: "server" },
    "delay-ms": { type: "string", default: "0" },
    service: { type: "string", default: "inventory" },
    etcd: { type: "string" },
    registry: { type: "string" },
  },
});

const server = await startInventoryServer({
  port: Number(values.port),
  host: values.host,
  name: values.name,
  delayMs: Number(values["delay-ms"]),
});

/** A registration kept by the parent process (the demo's embedded registry): closing asks it to drop us. */
function parentRegistration(): ServiceRegistration {
  return {
    service: values.service,
    address: `${values.host}:${server.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        const onMessage = (message: { type?: string }): void => {
          if (message.type !== "deregistered") return;
          process.off("message", onMessage);
          resolve();
        };
        process.on("message", onMessage);
        process.send?.({ type: "deregister" });
      }),
  };
}

if (values.etcd !== undefined) {
  server.own(await registerWithEtcd(server, { endpoints: [values.etcd], service: values.service, ttlSeconds: 5, metadata: { name: values.name } }));
} else if (values.registry === "parent" && process.send !== undefined) {
  server.own(parentRegistration());
}
if (process.send !== undefined) {
  process.send({ type: "listening", port: server.port });
} else {
  console.log(`inventory server "${values.name}" listening on ${server.url}`);
}
// SIGTERM/SIGINT: deregister, NOT_SERVING, GOAWAY, let calls finish (1 s), exit.
shutdownOnSignals(server);
process.on("disconnect", () => void server.shutdown().then(() => process.exit(0)));
