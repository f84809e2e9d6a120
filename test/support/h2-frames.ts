// Test helper: hand-made HTTP/2 client bytes (connection preface, SETTINGS, HEADERS with literal
// HPACK fields, DATA) for a raw TCP client that behaves as badly as a test needs: it can stall,
// never read, and never answer GOAWAY.
import * as net from "node:net";

/** The client connection preface. */
export const preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

const flagEndStream = 0x1;
const flagEndHeaders = 0x4;

function frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([header, payload]);
}

/** An HPACK integer with a 7-bit prefix (RFC 7541 §5.1), first byte's high bit clear (no Huffman). */
function hpackLength(n: number): Buffer {
  if (n < 127) return Buffer.from([n]);
  const out = [127];
  let rest = n - 127;
  while (rest >= 128) {
    out.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return Buffer.from(out);
}

/** An empty SETTINGS frame. */
export const settingsFrame = (): Buffer => frame(0x4, 0, 0, Buffer.alloc(0));

/** A HEADERS frame whose fields are all "literal without indexing, new name". */
export function headersFrame(streamId: number, headers: Readonly<Record<string, string>>, endStream = false): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    parts.push(Buffer.from([0]), hpackLength(name.length), Buffer.from(name, "latin1"), hpackLength(value.length), Buffer.from(value, "latin1"));
  }
  return frame(0x1, flagEndHeaders | (endStream ? flagEndStream : 0), streamId, Buffer.concat(parts));
}

/** A DATA frame. */
export const dataFrame = (streamId: number, data: Buffer, endStream = false): Buffer => frame(0x0, endStream ? flagEndStream : 0, streamId, data);

/**
 * Opens a TCP connection to 127.0.0.1:`port`, writes `bytes` and then neither reads nor writes
 * again (its socket is paused). Resolves once connected.
 */
export function stallingClient(port: number, bytes: Buffer): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      socket.on("error", () => {});
      if (bytes.length > 0) socket.write(bytes);
      socket.pause();
      resolve(socket);
    });
  });
}
