// Encode-once for hub values: a value published to many subscribers and sent as it is by each of
// their streaming calls is serialized once per schema and serializer, and the bytes are reused.

/** The bytes a value was serialized to, and by what. */
interface Encoding {
  readonly schema: object;
  readonly serialize: object;
  readonly bytes: Uint8Array;
}

/** Published objects → their last encoding (null: none yet). Weak: an entry lives as long as its value. */
const encodings = new WeakMap<object, Encoding | null>();
/** Whether anything was ever published in this process: until then no value needs a lookup. */
let anyPublished = false;

/**
 * Marks `value` as published: shared by every subscriber and not changed afterwards. Publishing the
 * same object again forgets its encoding, so a value changed and published again is serialized again.
 * @private
 */
export function markPublished(value: unknown): void {
  if (typeof value === "object" && value !== null) {
    anyPublished = true;
    encodings.set(value, null);
  }
}

/**
 * Whether `value` was published (a writer sends its shared encoding); false at the cost of one
 * boolean test while nothing was ever published in this process.
 * @private
 */
export function isPublished(value: unknown): boolean {
  return anyPublished && typeof value === "object" && value !== null && encodings.has(value);
}

/**
 * `serialize(schema, value)`, computed once for a published value and reused while the same
 * `schema` and `serialize` (a server's serializer, with its options and limits) ask again; values
 * never published are serialized every time.
 * @private
 */
export function encodeShared<S extends object>(value: unknown, schema: S, serialize: (schema: S, value: unknown) => Uint8Array): Uint8Array {
  if (typeof value !== "object" || value === null) return serialize(schema, value);
  const encoding = encodings.get(value);
  if (encoding === undefined) return serialize(schema, value);
  if (encoding !== null && encoding.schema === schema && encoding.serialize === serialize) return encoding.bytes;
  const bytes = serialize(schema, value);
  encodings.set(value, { schema, serialize, bytes });
  return bytes;
}

/**
 * The bytes {@link encodeShared} already made of `value` for `schema` and `serialize`, or undefined
 * (never encoded that way, or not a published value): a writer that would otherwise inspect the
 * value first can take them at once.
 * @private
 */
export function sharedEncodingOf<S extends object>(value: unknown, schema: S, serialize: (schema: S, value: unknown) => Uint8Array): Uint8Array | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const encoding = encodings.get(value);
  return encoding != null && encoding.schema === schema && encoding.serialize === serialize ? encoding.bytes : undefined;
}
