// Server of the plain Connect-ES contender: connectNodeAdapter on node:http2 (h2c), no Sluice.
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { BenchServer, StartServer } from "../harness/contracts.js";
import { EchoService } from "../../gen/bench/v1/echo_pb.js";
import { echoServiceImpl } from "./echo-service.js";

/** Starts EchoService on 127.0.0.1, port 0 (serves both the gRPC and the Connect protocol). */
export const startServer: StartServer = async () => {
  const server = http2.createServer(connectNodeAdapter({ routes: (router) => router.service(EchoService, echoServiceImpl) }));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (s) => {
    sessions.add(s);
    s.once("close", () => sessions.delete(s));
  });
  const bench: BenchServer = {
    ports: [(server.address() as AddressInfo).port],
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
  return bench;
};
