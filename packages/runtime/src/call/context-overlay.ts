// Context values that read as a base except for one key, without mutating the base (a caller may
// reuse one ContextValues object across calls).
import { createContextValues, type ContextKey, type ContextValues } from "@connectrpc/connect";

/** One key's value over a base; one object per call, its methods shared (no closures per call). */
class ContextOverlay<T> implements ContextValues {
  constructor(
    private base: ContextValues | undefined,
    private readonly key: ContextKey<T>,
    private value: T,
  ) {}

  get<V>(key: ContextKey<V>): V {
    if (key.id === this.key.id) return this.value as unknown as V;
    return this.base === undefined ? key.defaultValue : this.base.get(key);
  }

  set<V>(key: ContextKey<V>, value: V): this {
    if (key.id === this.key.id) this.value = value as unknown as T;
    else (this.base ??= createContextValues()).set(key, value);
    return this;
  }

  delete(key: ContextKey<unknown>): this {
    if (key.id === this.key.id) this.value = this.key.defaultValue;
    else this.base?.delete(key);
    return this;
  }
}

/**
 * Returns context values that answer `value` for `key` and defer everything else to `base`.
 * Writes of other keys go through to `base` (to fresh context values of the overlay's own when
 * `base` is undefined), as they would without the overlay; writes of `key` change the overlay only.
 *
 * @private
 */
export function overlayContext<T>(base: ContextValues | undefined, key: ContextKey<T>, value: T): ContextValues {
  return new ContextOverlay(base, key, value);
}
