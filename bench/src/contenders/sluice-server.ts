// Server of the Sluice contenders: serve() once per endpoint, all in this one process (several ports).
import type { Server } from "@sluice/runtime";
import { serve } from "@sluice/runtime";
import { choiceOption, intOption, type StartServer } from "../harness/contracts.js";
import { benchPki } from "./bench-tls.js";
import { EchoService } from "../../gen/bench/v1/echo_pb.js";
import { echoServiceImpl } from "./echo-service.js";

/** Options: `endpoints` (default 1), the number of ports served by this process; `tls` "false" (default) or "true" (the bench certificates). */
export const startServer: StartServer = async (options) => {
  const endpoints = intOption(options, "endpoints", 1);
  const tls = choiceOption(options, "tls", ["false", "true"] as const, "false") === "true" ? benchPki() : undefined;
  if (endpoints < 1) throw new Error(`option "endpoints" must be at least 1, got ${endpoints}`);
  const servers: Server[] = [];
  for (let i = 0; i < endpoints; i++) {
    servers.push(
      await serve({ port: 0, host: "127.0.0.1", shutdownGraceMs: 0, tls, routes: (router) => router.service(EchoService, echoServiceImpl) }),
    );
  }
  return {
    ports: servers.map((s) => s.port),
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
};
