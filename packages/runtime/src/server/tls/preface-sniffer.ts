// Tells an h2c connection (it opens with the HTTP/2 client preface) from an HTTP/1.x one by its
// first bytes, so one plaintext port can serve both.

/** The HTTP/2 client connection preface (RFC 9113 §3.4). */
const preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/**
 * What the first bytes of a plaintext connection say: `"h2"` (the full preface), `"http1"` (they
 * differ from the preface), or `"undecided"` (a prefix of it: read more).
 */
export function classifyPreface(bytes: Uint8Array): "h2" | "http1" | "undecided" {
  const n = Math.min(bytes.length, preface.length);
  for (let i = 0; i < n; i++) {
    if (bytes[i] !== preface[i]) return "http1";
  }
  return n === preface.length ? "h2" : "undecided";
}
