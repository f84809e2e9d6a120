// Unit tests of the adaptive hedging delay options: range checks, merging with the service's
// default, the percent-to-fraction conversion and the problems reported.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { HedgePolicySchema, type HedgePolicy } from "../gen/sluice/v1/options_pb.js";
import { checkAdaptiveDelayFields, readAdaptiveDelay } from "./adaptive-delay.js";

const prefixes = { method: "(m).hedge", service: "(s).hedge" };
const hedge = (init: MessageInitShape<typeof HedgePolicySchema>): HedgePolicy => create(HedgePolicySchema, init);

function read(mine: HedgePolicy | undefined, inherited: HedgePolicy | undefined) {
  const problems: string[] = [];
  const plan = readAdaptiveDelay(mine, inherited, prefixes, (field, problem) => problems.push(`${field} ${problem}`));
  return { plan, problems };
}

function check(policy: HedgePolicy): string[] {
  const problems: string[] = [];
  checkAdaptiveDelayFields(policy, "(m).hedge", (field, problem) => problems.push(`${field} ${problem}`));
  return problems;
}

describe("readAdaptiveDelay", () => {
  it("is undefined without a percentile: the fixed delay", () => {
    expect(read(hedge({ maxAttempts: 2, hedgingDelayMs: 10n }), undefined)).toEqual({ plan: undefined, problems: [] });
  });

  it("turns the percent into the runtime's fraction without binary noise, and fills in the defaults", () => {
    expect(read(hedge({ hedgingDelayPercentile: 99.9 }), undefined)).toEqual({
      plan: { percentile: 0.999, minSamples: 20, floorMs: 1 },
      problems: [],
    });
    expect(read(hedge({ hedgingDelayPercentile: 95 }), undefined).plan?.percentile).toBe(0.95);
  });

  it("keeps an explicit floor of 0 apart from an unset floor", () => {
    expect(read(hedge({ hedgingDelayPercentile: 50, hedgingDelayFloorMs: 0n }), undefined).plan?.floorMs).toBe(0);
  });

  it("merges the service's fields field by field, the method's own winning", () => {
    const service = hedge({ hedgingDelayPercentile: 90, hedgingDelayMinSamples: 100, hedgingDelayCeilingMs: 500n });
    expect(read(hedge({ hedgingDelayMinSamples: 30, hedgingDelayFloorMs: 5n }), service).plan).toEqual({
      percentile: 0.9,
      minSamples: 30,
      floorMs: 5,
      ceilingMs: 500,
    });
    expect(read(undefined, service).plan).toEqual({ percentile: 0.9, minSamples: 100, floorMs: 1, ceilingMs: 500 });
  });

  it("reports bounds set without a percentile, naming the level that set them", () => {
    const { plan, problems } = read(hedge({ hedgingDelayMinSamples: 5 }), hedge({ hedgingDelayFloorMs: 2n }));
    expect(plan).toBeUndefined();
    expect(problems).toEqual([
      "(m).hedge.hedging_delay_min_samples needs hedging_delay_percentile (the adaptive delay's percentile): set it, or remove this field for a fixed hedging_delay_ms",
      "(s).hedge.hedging_delay_floor_ms needs hedging_delay_percentile (the adaptive delay's percentile): set it, or remove this field for a fixed hedging_delay_ms",
    ]);
  });

  it("reports a method's ceiling below the service's floor", () => {
    const { problems } = read(hedge({ hedgingDelayPercentile: 90, hedgingDelayCeilingMs: 10n }), hedge({ hedgingDelayFloorMs: 30n }));
    expect(problems).toEqual([
      "(m).hedge.hedging_delay_ceiling_ms must be >= hedging_delay_floor_ms (30, from (s).hedge), got 10 (from (m).hedge)",
    ]);
  });
});

describe("checkAdaptiveDelayFields", () => {
  it("accepts what the runtime accepts", () => {
    expect(check(hedge({ hedgingDelayPercentile: 0.1, hedgingDelayMinSamples: 1000, hedgingDelayFloorMs: 0n, hedgingDelayCeilingMs: 1n }))).toEqual([]);
    expect(check(hedge({}))).toEqual([]);
  });

  it("names each field out of range and its accepted values", () => {
    expect(check(hedge({ hedgingDelayPercentile: 100, hedgingDelayMinSamples: -1, hedgingDelayFloorMs: -1n, hedgingDelayCeilingMs: -1n }))).toEqual([
      "(m).hedge.hedging_delay_percentile must be a percent > 0 and < 100 (e.g. 95 or 99.5), got 100",
      "(m).hedge.hedging_delay_min_samples must be between 1 and 1000 (or unset for the default 20), got -1",
      "(m).hedge.hedging_delay_floor_ms must be >= 0 (or unset for the default 1), got -1",
      "(m).hedge.hedging_delay_ceiling_ms must be >= 0 (0 or unset: no ceiling), got -1",
    ]);
    expect(check(hedge({ hedgingDelayPercentile: Number.NaN }))).toEqual([
      "(m).hedge.hedging_delay_percentile must be a percent > 0 and < 100 (e.g. 95 or 99.5), got NaN",
    ]);
  });

  it("reports a ceiling below the floor set beside it, or below the default floor of 1 ms", () => {
    expect(check(hedge({ hedgingDelayPercentile: 90, hedgingDelayFloorMs: 50n, hedgingDelayCeilingMs: 20n }))).toEqual([
      "(m).hedge.hedging_delay_ceiling_ms must be >= hedging_delay_floor_ms (50), got 20",
    ]);
    expect(check(hedge({ hedgingDelayPercentile: 90, hedgingDelayFloorMs: 0n, hedgingDelayCeilingMs: 1n }))).toEqual([]);
  });
});
