// Range checks for limit and rate-limit options: each throws an Error naming the field and the
// accepted range, so bad configuration fails at construction.

/** Accepted range of a numeric option. @private */
export interface NumberRange {
  readonly min: number;
  readonly max?: number;
  /** Whether the lower bound itself is excluded (default false). */
  readonly minExclusive?: boolean;
  /** Whether only integers are accepted (default false). */
  readonly integer?: boolean;
}

function describe(range: NumberRange): string {
  const kind = range.integer === true ? "an integer" : "a number";
  const low = `${range.minExclusive === true ? ">" : ">="} ${range.min}`;
  return range.max === undefined ? `${kind} ${low}` : `${kind} ${low} and <= ${range.max}`;
}

/**
 * Returns `value`, or `fallback` when `value` is undefined, after checking it lies in `range`.
 * @throws Error `"<field>: must be <range>, got <value>"` otherwise.
 * @private
 */
export function numberOption(field: string, value: unknown, fallback: number, range: NumberRange): number {
  const v = value === undefined ? fallback : value;
  const ok =
    typeof v === "number" &&
    Number.isFinite(v) &&
    (range.minExclusive === true ? v > range.min : v >= range.min) &&
    (range.max === undefined || v <= range.max) &&
    (range.integer !== true || Number.isInteger(v));
  if (!ok) throw new Error(`${field}: must be ${describe(range)}, got ${String(value)}`);
  return v;
}

/**
 * Checks that `min <= max` for two already validated options.
 * @throws Error naming both fields otherwise.
 * @private
 */
export function orderedOptions(minField: string, min: number, maxField: string, max: number): void {
  if (min > max) throw new Error(`${minField}: must be <= ${maxField} (${max}), got ${min}`);
}

/** The least, greatest and starting limit of an algorithm, validated together. @private */
export interface LimitBounds {
  readonly minLimit: number;
  readonly maxLimit: number;
  readonly initialLimit: number;
}

/**
 * Validates `minLimit` <= `initialLimit` <= `maxLimit` (integers >= 1), with the given defaults;
 * an absent `initialLimit` is `initialDefault` clamped into [minLimit, maxLimit].
 * @throws Error naming the field when out of range.
 * @private
 */
export function limitBounds(
  options: { readonly minLimit?: number; readonly maxLimit?: number; readonly initialLimit?: number },
  defaults: LimitBounds,
): LimitBounds {
  const minLimit = numberOption("minLimit", options.minLimit, defaults.minLimit, { min: 1, integer: true });
  const maxLimit = numberOption("maxLimit", options.maxLimit, defaults.maxLimit, { min: 1, integer: true });
  orderedOptions("minLimit", minLimit, "maxLimit", maxLimit);
  const fallback = Math.min(maxLimit, Math.max(minLimit, defaults.initialLimit));
  const initialLimit = numberOption("initialLimit", options.initialLimit, fallback, { min: minLimit, max: maxLimit, integer: true });
  return { minLimit, maxLimit, initialLimit };
}
