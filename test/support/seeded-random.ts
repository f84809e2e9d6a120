// Test support: a small deterministic random number generator, so a failing run can be replayed.
// It is the runtime's own mulberry32 (the pickers' tests use it too).
export { createSeededRandom as seededRandom } from "@sluice/runtime";
