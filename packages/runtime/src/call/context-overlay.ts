// Context values that read as a base except for one key, without mutating the base (a caller may
// reuse one ContextValues object across calls).
import { createContextValues, type ContextKey, type ContextValues } from "@connectrpc/connect";

/**
 * Returns context values that answer `value` for `key` and defer everything else to `base`.
 * Writes go through to `base`, as they would without the overlay.
 *
 * @private
 */
export function overlayContext<T>(base: ContextValues | undefined, key: ContextKey<T>, value: T): ContextValues {
  if (base === undefined) return createContextValues().set(key, value);
  const overlay: ContextValues = {
    get(k) {
      return k.id === key.id ? (value as never) : base.get(k);
    },
    set(k, v) {
      base.set(k, v);
      return overlay;
    },
    delete(k) {
      base.delete(k);
      return overlay;
    },
  };
  return overlay;
}
