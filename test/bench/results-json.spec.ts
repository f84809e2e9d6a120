// The saved results text: the same value as JSON.stringify, with arrays of numbers on one line.
import { resultsJson } from "../../bench/src/harness/results-json.js";

describe("resultsJson", () => {
  it("parses back to the same value", () => {
    const value = { a: 1, s: "x", n: null, list: [{ t: [1, 2] }, "y"], series: { toSlow: [[0, 0.25], [20, 0.1]] }, empty: [], none: {}, skipped: undefined };
    expect(JSON.parse(resultsJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it("keeps each array of numbers on one line and indents the rest one space per level", () => {
    expect(resultsJson({ cdf: [[1, 0.5], [2, 1]], label: "x" })).toBe('{\n "cdf": [\n  [1,0.5],\n  [2,1]\n ],\n "label": "x"\n}');
  });

  it("writes what JSON.stringify(value, null, 1) writes when no array holds only numbers", () => {
    const value = { a: [{ b: "c" }, { d: [true, "e"] }], f: { g: null } };
    expect(resultsJson(value)).toBe(JSON.stringify(value, null, 1));
  });
});
