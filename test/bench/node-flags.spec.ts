// The bench's --node-flags option: parsed into a list of node flags, recorded with the run and named
// in the report's "Measured … with" line, so figures taken with other V8 settings say so.
import { parseCli } from "../../bench/src/harness/cli.js";
import { commandLine, describeEnvironment, nodeFlagsText } from "../../bench/src/harness/environment.js";

describe("the bench's --node-flags option", () => {
  it("splits the flags on spaces and keeps none when absent", () => {
    expect(parseCli(["overload", "--node-flags=--max-semi-space-size=32  --trace-gc "]).nodeFlags).toEqual(["--max-semi-space-size=32", "--trace-gc"]);
    expect(parseCli(["overload"]).nodeFlags).toEqual([]);
  });

  it("refuses a word that is not a node flag", () => {
    expect(() => parseCli(["--node-flags", "max-semi-space-size=32"])).toThrow(/--node-flags .*"max-semi-space-size=32"/);
  });

  it("records the flags with the run and names them in the report, and says nothing without them", () => {
    const withFlags = describeEnvironment(process.cwd(), [], 3, false, ["--max-semi-space-size=32"]);
    expect(withFlags.nodeFlags).toEqual(["--max-semi-space-size=32"]);
    expect(nodeFlagsText(withFlags)).toBe(", every server and load generator started with node flags `--max-semi-space-size=32`");
    const without = describeEnvironment(process.cwd(), [], 3, false);
    expect(without.nodeFlags).toBeUndefined();
    expect(nodeFlagsText(without)).toBe("");
  });

  it("keeps several flags given as one argument together in the recorded command line", () => {
    expect(commandLine(["overload", "--node-flags=--min-semi-space-size=32 --max-semi-space-size=64"])).toMatch(
      / overload "--node-flags=--min-semi-space-size=32 --max-semi-space-size=64"$/,
    );
  });
});
