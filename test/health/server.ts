// Test helper: a Connect server over plain HTTP/2 on 127.0.0.1 that can be stopped (sessions
// destroyed) and started again on the same port.

import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";

export interface TestServer {
  readonly port: number;
  readonly baseUrl: string;
  /** Destroys every session and closes the listener. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
}

/** Starts a server for `routes` on 127.0.0.1 port 0 (or `port`). */
export async function startServer(routes: (router: ConnectRouter) => void, port = 0): Promise<TestServer> {
  const sessions = new Set<http2.ServerHttp2Session>();
  let server: http2.Http2Server | undefined;
  let boundPort = port;

  async function listen(): Promise<void> {
    const s = http2.createServer(connectNodeAdapter({ routes }));
    s.on("session", (session) => {
      sessions.add(session);
      session.once("close", () => sessions.delete(session));
    });
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.listen(boundPort, "127.0.0.1", () => resolve());
    });
    boundPort = (s.address() as AddressInfo).port;
    server = s;
  }

  async function stop(): Promise<void> {
    const s = server;
    server = undefined;
    if (s === undefined) return;
    for (const session of sessions) session.destroy();
    sessions.clear();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  await listen();
  return {
    port: boundPort,
    baseUrl: `http://127.0.0.1:${boundPort}`,
    stop,
    restart: listen,
  };
}

/** Polls `cond` every 10 ms until it holds; throws after `ms`. */
export async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
