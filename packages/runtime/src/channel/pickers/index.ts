// Public surface of the built-in balancing policies (the lead re-exports it from the package index).
export { createPickFirstPolicy } from "./pick-first.js";
export { createRoundRobinPolicy } from "./round-robin.js";
export { createRandomPolicy } from "./random.js";
export { createWeightedRoundRobinPolicy } from "./weighted-round-robin.js";
export { createLeastRequestPolicy } from "./least-request.js";
export { createPeakEwmaPolicy, type PeakEwmaPolicyOptions } from "./peak-ewma.js";
export { createLoadReportPolicy, type LoadReportPolicyOptions } from "./load-report.js";
export { createRingHashPolicy, ringSizeLimit, type RingHashPolicyOptions } from "./ring-hash.js";
export { xxHash32 } from "./hash.js";
export { createSeededRandom } from "./testing.js";
export {
  resolvePickerPolicy,
  registerPicker,
  acceptedPickerNames,
  pickerNames,
  type PickerFactory,
  type CustomBalancerConfig,
  type PickerName,
  type BalancerConfig,
  type BalancerPolicyConfig,
  type PlainBalancerConfig,
  type PeakEwmaBalancerConfig,
  type RingHashBalancerConfig,
  type LoadReportBalancerConfig,
} from "./registry.js";
