// Shows the sizes of the DATA chunks a node:http2 client receives from a node:http2 server writing
// 64 KiB messages, with the client's default settings and with a larger max frame size and window.
// `node bench/dist/src/tools/h2-frame-sizes.js [messages]`
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { framedMessage } from "../contenders/raw-stream-wire.js";

/** Client settings tried, in turn. */
const SETTINGS: ReadonlyArray<{ readonly label: string; readonly settings: http2.Settings; readonly sessionWindow?: number }> = [
  { label: "defaults", settings: {} },
  { label: "max frame 1 MiB, stream window 1 MiB, session window 32 MiB", settings: { maxFrameSize: 1 << 20, initialWindowSize: 1 << 20 }, sessionWindow: 32 << 20 },
  { label: "max frame 16 MiB - 1, stream window 8 MiB, session window 32 MiB", settings: { maxFrameSize: (1 << 24) - 1, initialWindowSize: 8 << 20 }, sessionWindow: 32 << 20 },
];

/** Reads one response of `count` gRPC-framed 64 KiB messages and counts its chunks by size. */
async function chunkSizes(port: number, settings: http2.Settings, sessionWindow: number | undefined): Promise<Map<number, number>> {
  const session = http2.connect(`http://127.0.0.1:${port}`, { settings });
  try {
    await new Promise<void>((resolve) => session.once("remoteSettings", () => resolve()));
    if (sessionWindow !== undefined) session.setLocalWindowSize(sessionWindow);
    const request = session.request({ ":path": "/" });
    const sizes = new Map<number, number>();
    request.on("data", (chunk: Buffer) => sizes.set(chunk.length, (sizes.get(chunk.length) ?? 0) + 1));
    await new Promise<void>((resolve, reject) => {
      request.on("end", resolve);
      request.on("error", reject);
    });
    return sizes;
  } finally {
    session.close();
  }
}

async function main(count: number): Promise<void> {
  const message = framedMessage(64 * 1024);
  const server = http2.createServer();
  server.on("stream", (stream) => {
    stream.respond({ ":status": 200 });
    for (let i = 0; i < count; i++) stream.write(message);
    stream.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    for (const { label, settings, sessionWindow } of SETTINGS) {
      const sizes = await chunkSizes(port, settings, sessionWindow);
      const largest = Math.max(...sizes.keys());
      const top = [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([size, n]) => `${n} × ${size} B`);
      console.log(`${label}: ${count} messages of ${message.length} B arrived in ${[...sizes.values()].reduce((s, n) => s + n, 0)} chunks, largest ${largest} B (${top.join(", ")})`);
    }
  } finally {
    server.close();
  }
}

void main(Number(process.argv[2] ?? 20));
