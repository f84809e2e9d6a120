// Server of the plain Connect-ES contender: connectNodeAdapter on node:http2 (h2c), no Sluice.
import * as http2 from "node:http2";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { StartServer } from "../harness/contracts.js";
import { EchoService } from "../../gen/bench/v1/echo_pb.js";
import { echoServiceImpl } from "./echo-service.js";
import { hostH2c } from "./h2c-host.js";

/** Starts EchoService on 127.0.0.1, port 0 (serves both the gRPC and the Connect protocol). */
export const startServer: StartServer = async () =>
  hostH2c(http2.createServer(connectNodeAdapter({ routes: (router) => router.service(EchoService, echoServiceImpl) })));
