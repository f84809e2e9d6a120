// PEM inputs of the TLS options (server and channel): the accepted shapes and their check.

/** PEM text or bytes, or a list of them (a chain, or several CAs). */
export type PemInput = string | Buffer | ReadonlyArray<string | Buffer>;

/** Whether `value` is a non-empty PEM string or Buffer, or a non-empty list of them. @private */
export function isPemInput(value: unknown): value is PemInput {
  if (typeof value === "string" || Buffer.isBuffer(value)) return value.length > 0;
  return Array.isArray(value) && value.length > 0 && value.every((v) => (typeof v === "string" || Buffer.isBuffer(v)) && v.length > 0);
}
