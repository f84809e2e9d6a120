// The text of a saved results file: indented one space per level as before, except that an array
// of numbers (a CDF point, a time-series sample, a list of per-run values) stays on one line, so a
// run's series are a line per sample rather than four.

function format(value: unknown, depth: number): string | undefined {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "number")) return JSON.stringify(value);
  const pad = " ".repeat(depth + 1);
  const close = " ".repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((v) => `${pad}${format(v, depth + 1) ?? "null"}`);
    return `[\n${items.join(",\n")}\n${close}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
    const text = format(v, depth + 1);
    return text === undefined ? [] : [`${pad}${JSON.stringify(k)}: ${text}`];
  });
  return entries.length === 0 ? "{}" : `{\n${entries.join(",\n")}\n${close}}`;
}

/**
 * Serialises results as `JSON.stringify(value, null, 1)` does, but with every array of numbers on
 * one line; parses back to the same value.
 * @example
 * resultsJson({ cdf: [[1, 0.5], [2, 1]] }); // '{\n "cdf": [\n  [1,0.5],\n  [2,1]\n ]\n}'
 */
export function resultsJson(value: unknown): string {
  return format(value, 0) ?? "null";
}
