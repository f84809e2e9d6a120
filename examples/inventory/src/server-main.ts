// Process entry of one example server: `node server-main.js [--port N] [--name S] [--delay-ms N]`.
// Reports `{ port }` to a parent process over IPC (or prints it) and closes gracefully on SIGTERM.
import { parseArgs } from "node:util";
import { startInventoryServer } from "./server.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
    name: { type: "string", default: "server" },
    "delay-ms": { type: "string", default: "0" },
  },
});

const server = await startInventoryServer({
  port: Number(values.port),
  host: values.host,
  name: values.name,
  delayMs: Number(values["delay-ms"]),
});
if (process.send !== undefined) {
  process.send({ type: "listening", port: server.port });
} else {
  console.log(`inventory server "${values.name}" listening on ${server.url}`);
}
const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
process.on("disconnect", stop);
