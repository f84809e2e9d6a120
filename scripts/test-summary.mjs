// Prints jest's totals from its JSON results as one plain line, "tests: N passed, N failed"
// (N skipped when any), for readers that look for that line at the end of a run.
import { readFileSync } from "node:fs";

const file = process.argv[2] ?? "node_modules/.sluice-jest-results.json";
const results = JSON.parse(readFileSync(file, "utf8"));
const skipped = results.numPendingTests + results.numTodoTests;
console.log(
  `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`,
);
