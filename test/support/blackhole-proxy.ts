// Test support: a loopback TCP proxy that can turn into a black hole (keeps every socket open but
// forwards nothing), the way a dead peer behind a broken network looks to a client.
import * as net from "node:net";

/** A running proxy. */
export interface BlackholeProxy {
  readonly port: number;
  /** Stops forwarding in both directions; sockets stay open. */
  blackhole(): void;
  /** Resets every open connection (TCP RST on both sides), as a crashed peer or middlebox does; new ones still work. */
  reset(): void;
  close(): Promise<void>;
}

/** Proxies 127.0.0.1:<port> to 127.0.0.1:`targetPort`. */
export async function startBlackholeProxy(targetPort: number): Promise<BlackholeProxy> {
  const sockets = new Set<net.Socket>();
  let dead = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on("data", (chunk) => {
        if (!dead) to.write(chunk);
      });
      from.on("error", () => to.destroy());
      from.on("close", () => {
        sockets.delete(from);
        if (!dead) to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    blackhole() {
      dead = true;
    },
    reset() {
      for (const s of sockets) s.resetAndDestroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
