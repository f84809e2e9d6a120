// The listening side of serve(): the HTTP/2 server itself for plain h2c; otherwise a TLS server that hands each
// connection to the HTTP/2 server or to an HTTP/1.1 server by its ALPN protocol, or a plaintext
// server that tells h2c from HTTP/1.1 by the first bytes. Neither of the inner servers listens.
import * as http from "node:http";
import type * as http2 from "node:http2";
import * as net from "node:net";
import * as tls from "node:tls";
import { classifyPreface } from "./preface-sniffer.js";
import { guardHttp1, type Http1Handler } from "./http1-guard.js";
import {
  secureContextOptions,
  tlsServerOptions,
  validateSecureContextInput,
  type SecureContextInput,
  type ServerTlsOptions,
} from "./server-tls-options.js";


/** Options of {@link createFrontDoor}. @private */
export interface FrontDoorOptions {
  /** Serve TLS with these settings; plaintext when absent. */
  readonly tls?: ServerTlsOptions;
  /** Also serve HTTP/1.1 (ALPN `http/1.1` over TLS; by the first bytes on plaintext). */
  readonly allowHttp1: boolean;
  /** A connection that has not finished its TLS handshake (or, on plaintext, sent its first bytes) by then is dropped. */
  readonly handshakeTimeoutMs: number;
  /** Takes the HTTP/2 connections. */
  readonly http2Server: http2.Http2Server;
  /** Takes the HTTP/1.1 requests (gRPC ones are answered 505 before they get there). */
  readonly http1Handler: Http1Handler;
}

/** The listening server and what serve() does with it. @private */
export interface FrontDoor {
  /** The server to `listen` and `close`. */
  readonly listener: net.Server;
  /** `"https"` or `"http"`. */
  readonly scheme: "https" | "http";
  /** Replaces the key pair (and client CAs) for connections made from now on; open ones keep theirs. */
  setSecureContext(input: SecureContextInput): void;
  /** Closes HTTP/1.1 connections that wait idle between requests (the start of a graceful close). */
  closeIdleConnections(): void;
  /** Destroys every connection still open (the end of a graceful close). */
  destroyConnections(): void;
}

/** Creates the front door for `options`. @private */
export function createFrontDoor(options: FrontDoorOptions): FrontDoor {
  const { http2Server, handshakeTimeoutMs } = options;
  const handleHttp1 = guardHttp1(options.http1Handler);
  // HTTP/1.1 connections and their requests in progress, so a closing server ends the idle ones
  // at once and the busy ones after their response (node's own tracking needs a listening server).
  const http1Busy = new Map<net.Socket, number>();
  let draining = false;
  const http1Server = http.createServer((req, res) => {
    const socket = req.socket;
    http1Busy.set(socket, (http1Busy.get(socket) ?? 0) + 1);
    if (draining) res.shouldKeepAlive = false;
    res.once("close", () => {
      const left = (http1Busy.get(socket) ?? 1) - 1;
      http1Busy.set(socket, left);
      if (left === 0 && draining) socket.end();
    });
    handleHttp1(req, res);
  });
  http1Server.on("connection", (socket: net.Socket) => {
    http1Busy.set(socket, 0);
    socket.once("close", () => http1Busy.delete(socket));
  });
  // Node keeps an HTTP/1.1 connection open 5 s after a response; a closing server ends them sooner.
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };
  const toHttp1 = (socket: net.Socket): void => {
    if (options.allowHttp1) http1Server.emit("connection", socket);
    else socket.destroy();
  };

  let listener: net.Server;
  if (options.tls === undefined && !options.allowHttp1) {
    // Plain h2c: the HTTP/2 server listens itself.
    listener = http2Server;
  } else if (options.tls !== undefined) {
    const alpn = options.allowHttp1 ? ["h2", "http/1.1"] : ["h2"];
    const server = tls.createServer(tlsServerOptions(options.tls, alpn, handshakeTimeoutMs), (socket) => {
      // A client without ALPN is taken for HTTP/1.1, as node's own secure HTTP/2 server does.
      if (socket.alpnProtocol === "h2") http2Server.emit("connection", socket);
      else toHttp1(socket);
    });
    // A failed or timed-out handshake (node only reports a timeout): drop the connection.
    server.on("tlsClientError", (_error, socket) => socket.destroy());
    server.on("connection", track);
    listener = server;
  } else {
    listener = net.createServer((socket) => {
      track(socket);
      sniff(socket, handshakeTimeoutMs, (kind) => (kind === "h2" ? http2Server.emit("connection", socket) : toHttp1(socket)));
    });
  }
  return {
    listener,
    scheme: options.tls !== undefined ? "https" : "http",
    setSecureContext(input) {
      if (!(listener instanceof tls.Server)) {
        throw new Error("setSecureContext: the server was started without tls; certificates can only be replaced on a TLS server");
      }
      validateSecureContextInput(input, "setSecureContext");
      listener.setSecureContext(secureContextOptions(input));
    },
    closeIdleConnections() {
      draining = true;
      for (const [socket, busy] of http1Busy) if (busy === 0) socket.end();
    },
    destroyConnections() {
      for (const socket of sockets) socket.destroy();
    },
  };
}

/**
 * Reads the first bytes of a plaintext connection, puts them back and reports whether it opens
 * with the HTTP/2 preface. A connection that stays silent past `timeoutMs` is dropped.
 */
function sniff(socket: net.Socket, timeoutMs: number, decided: (kind: "h2" | "http1") => void): void {
  let seen: Buffer = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  timer.unref();
  const done = (): void => {
    clearTimeout(timer);
    socket.off("data", onData);
    socket.off("error", onError);
    socket.off("end", onEnd);
  };
  const onError = (): void => {
    done();
    socket.destroy();
  };
  const onEnd = (): void => {
    done();
    socket.destroy();
  };
  const onData = (chunk: Buffer): void => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const kind = classifyPreface(seen);
    if (kind === "undecided") return;
    done();
    socket.pause();
    socket.unshift(seen);
    decided(kind);
    // The HTTP/2 session reads the socket itself (the bytes put back included); HTTP/1.1 reads it as a stream.
    if (kind === "http1") socket.resume();
  };
  socket.on("data", onData);
  socket.on("error", onError);
  socket.on("end", onEnd);
}
