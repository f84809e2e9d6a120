// Command-line options of `npm run bench [scenario…] [--quick] [--runs N] [--duration S] [--points IDS] [--cpu-prof] [--node-flags F]`.
import { parseArgs } from "node:util";

/** Parsed command line. */
export interface CliOptions {
  readonly scenarios: readonly string[];
  readonly quick: boolean;
  readonly runs: number | undefined;
  readonly durationMs: number | undefined;
  readonly cpuProf: boolean;
  readonly contenders: readonly string[] | undefined;
  /** Only the points with these ids (all when undefined). */
  readonly points: readonly string[] | undefined;
  readonly out: string | undefined;
  /** Node flags given to every server and load-generator process of the run (empty: none). */
  readonly nodeFlags: readonly string[];
  readonly list: boolean;
  /** Rebuild RESULTS.md from the saved results without running anything. */
  readonly reportOnly: boolean;
  readonly help: boolean;
}

/** Usage text. */
export const USAGE = `usage: npm run bench -- [scenario…] [options]

  scenario…        scenarios to run (default: all); see --list
  --quick          short smoke run (1 run, sub-second phases); writes bench/results/quick/
  --runs N         runs per figure, the report shows medians (default 3, 1 with --quick)
  --duration S     measured seconds per point of duration-bound scenarios
  --contenders IDS only these contender ids, comma-separated (e.g. a,d)
  --points IDS     only these points of the scenarios, comma-separated (e.g. server-64k)
  --out DIR        write RESULTS.md, JSON and charts to DIR instead (e.g. for profiling runs)
  --cpu-prof       write client and server CPU profiles to bench/results/raw/profiles/
  --node-flags=F   node flags for every server and load-generator process of the run, space-separated,
                   after each contender's own; give them with "=" (they start with a dash), e.g.
                   --node-flags="--max-semi-space-size=32 --trace-gc"; RESULTS.md names them
  --list           list scenarios and contenders
  --report-only    rebuild RESULTS.md from the saved results (after editing a scenario's text)
  --help           this text`;

function positiveNumber(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return n;
}

/** A comma-separated list of ids, trimmed, empty items dropped; undefined when the option is absent. */
function idList(raw: string | undefined): readonly string[] | undefined {
  return raw === undefined ? undefined : raw.split(",").map((c) => c.trim()).filter((c) => c !== "");
}

/** Space-separated node flags, each starting with "--"; throws naming the option otherwise. */
export function nodeFlagList(raw: string | undefined): readonly string[] {
  const flags = (raw ?? "").split(/\s+/).filter((f) => f !== "");
  const bad = flags.find((f) => !f.startsWith("--"));
  if (bad !== undefined) throw new Error(`--node-flags takes node flags starting with "--", got "${bad}"`);
  return flags;
}

/** Parses argv (without node and script); throws on unknown options. */
export function parseCli(argv: readonly string[]): CliOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      quick: { type: "boolean", default: false },
      runs: { type: "string" },
      duration: { type: "string" },
      "cpu-prof": { type: "boolean", default: false },
      contenders: { type: "string" },
      points: { type: "string" },
      out: { type: "string" },
      "node-flags": { type: "string" },
      list: { type: "boolean", default: false },
      "report-only": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const runs = positiveNumber("runs", values.runs);
  if (runs !== undefined && !Number.isInteger(runs)) throw new Error(`--runs must be an integer, got "${values.runs}"`);
  const duration = positiveNumber("duration", values.duration);
  return {
    scenarios: positionals,
    quick: values.quick === true,
    runs,
    durationMs: duration === undefined ? undefined : Math.round(duration * 1000),
    cpuProf: values["cpu-prof"] === true,
    contenders: idList(values.contenders),
    points: idList(values.points),
    out: values.out,
    nodeFlags: nodeFlagList(values["node-flags"]),
    list: values.list === true,
    reportOnly: values["report-only"] === true,
    help: values.help === true,
  };
}
