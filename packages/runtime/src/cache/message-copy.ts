// A deep copy of a protobuf-es message for the response cache: every object, array and byte array
// is new, prototypes are kept (proto2 defaults live there), immutable values are shared.

/** Copies one value of a message: a field value, list item, map value, oneof or JSON value. */
function copyValue(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (value instanceof Uint8Array) return value.slice();
  if (Array.isArray(value)) {
    const n = value.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = copyValue(value[i]);
    return out;
  }
  const source = value as Record<string, unknown>;
  const prototype = Object.getPrototypeOf(source) as object | null;
  const out: Record<string, unknown> = prototype === Object.prototype ? {} : (Object.create(prototype) as Record<string, unknown>);
  for (const name in source) {
    if (!Object.prototype.hasOwnProperty.call(source, name)) continue;
    const copy = copyValue(source[name]);
    // A map keyed "__proto__" is data, not a prototype.
    if (name === "__proto__") Object.defineProperty(out, name, { value: copy, writable: true, enumerable: true, configurable: true });
    else out[name] = copy;
  }
  return out;
}

/**
 * A deep copy of `message` (any protobuf-es message, or any value made of plain objects, arrays,
 * `Uint8Array`s and primitives): mutating the copy, down to its bytes, never changes `message`.
 * Measured in the `cache` bench against protobuf-es `clone` and `fromBinary`.
 *
 * @example
 * const copy = copyMessage(response.message);
 * copy.item!.name = "x"; // response.message.item.name is unchanged
 */
export function copyMessage<T>(message: T): T {
  return copyValue(message) as T;
}
