// Hosts a bare node:http2 server (h2c or TLS) as a bench server: listens on 127.0.0.1 port 0, and on close
// ends every session it still has so closing never waits for an idle client.
import type * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type { BenchServer } from "../harness/contracts.js";

/** Starts `server` listening on 127.0.0.1, a free port; `close()` destroys its sessions, then closes it. */
export async function hostH2c(server: http2.Http2Server | http2.Http2SecureServer): Promise<BenchServer> {
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (s: http2.ServerHttp2Session) => {
    sessions.add(s);
    s.once("close", () => sessions.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    ports: [(server.address() as AddressInfo).port],
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}
