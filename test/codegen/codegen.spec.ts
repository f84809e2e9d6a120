// protoc-gen-sluice end to end: the real buf generate with the local plugins on awkward protos,
// the real tsc --strict on the output, validation messages, determinism, js+dts, the example, and
// a generated client hedging adaptively against real servers.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fromJson, type DescMessage, type DescService, type JsonValue } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext, type ServiceImpl, type Transport } from "@connectrpc/connect";
import { createChannel, serve } from "@sluice/runtime";
import {
  buildPluginAndRuntime,
  bufGenerate,
  createUserRepo,
  pluginPair,
  pluginPath,
  readTree,
  repoRoot,
  typeCheck,
  type RunResult,
} from "./harness.js";

const fixtures = path.join(__dirname, "fixtures");
let tmp = "";
let good = "";
let goodRun: RunResult;
let errorRun: RunResult;
let exampleRun: RunResult;

const sluiceFiles = (tree: Map<string, Buffer>): string[] => [...tree.keys()].filter((f) => f.includes("_sluice."));
const text = (file: string): string => fs.readFileSync(file, "utf8");

beforeAll(() => {
  // The plugin's bin runs dist/; `npm test` builds first, and this is a no-op when up to date.
  buildPluginAndRuntime();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-codegen-"));
  const envPath = pluginPath(path.join(tmp, "bin"));

  // One buf run, several plugin invocations: ts twice (determinism), js+dts, and CommonJS js.
  good = path.join(tmp, "good");
  createUserRepo(good, path.join(fixtures, "good"));
  goodRun = bufGenerate(
    good,
    "version: v2\ninputs:\n  - directory: proto\nplugins:\n" +
      pluginPair("gen-ts", ["target=ts", "import_extension=js"]) +
      pluginPair("gen-ts-again", ["target=ts", "import_extension=js"]) +
      pluginPair("gen-jsdts", ["target=js+dts", "import_extension=js"]) +
      pluginPair("gen-cjs", ["target=js", "js_import_style=legacy_commonjs"]),
    envPath,
  );

  const errors = path.join(tmp, "errors");
  createUserRepo(errors, path.join(fixtures, "errors"));
  errorRun = bufGenerate(errors, "version: v2\ninputs:\n  - directory: proto\nplugins:\n" + pluginPair("gen", ["target=ts"]), envPath);

  // The example, regenerated with its own buf.gen.yaml in a user-style repository.
  const example = path.join(tmp, "example");
  createUserRepo(example, path.join(repoRoot, "examples/inventory/proto"));
  exampleRun = bufGenerate(example, text(path.join(repoRoot, "examples/inventory/buf.gen.yaml")), envPath);
}, 300_000);

afterAll(() => {
  if (tmp !== "") fs.rmSync(tmp, { recursive: true, force: true });
});

describe("protoc-gen-sluice on awkward protos", () => {
  it("generates without errors", () => {
    expect(goodRun.stderr).toBe("");
    expect(goodRun.status).toBe(0);
  });

  it("writes one _sluice.ts per file with services and none for a file without", () => {
    const tree = readTree(path.join(good, "gen-ts"));
    expect(sluiceFiles(tree)).toEqual([
      "acme/awkward/v1/awkward_sluice.ts",
      "acme/deep/nested/routing/v1/routing_sluice.ts",
      "acme/keywords/v1/keywords_sluice.ts",
      "acme/streams/v1/streams_sluice.ts",
    ]);
    expect(tree.has("common/v1/common_pb.ts")).toBe(true);
    expect(tree.has("sluice/v1/options_pb.ts")).toBe(true);
  });

  it("type-checks the ts and js+dts output and the usage checks under strict", () => {
    const usage = text(path.join(fixtures, "check/usage.mts"));
    fs.writeFileSync(path.join(good, "usage-ts.mts"), usage.replaceAll("__GEN__", "gen-ts"));
    fs.writeFileSync(path.join(good, "usage-jsdts.mts"), usage.replaceAll("__GEN__", "gen-jsdts"));
    const tsconfig = {
      compilerOptions: {
        target: "ES2022",
        lib: ["ES2022", "DOM"],
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noEmit: true,
        // Checks the generated .d.ts files too (and, with them, the libraries' declarations).
        skipLibCheck: false,
        noUnusedLocals: true,
        types: ["node"],
      },
      include: ["gen-ts/**/*.ts", "gen-jsdts/**/*.d.ts", "usage-ts.mts", "usage-jsdts.mts", "../example/gen/**/*.ts"],
    };
    fs.writeFileSync(path.join(good, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
    const result = typeCheck(path.join(good, "tsconfig.json"));
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("uses no `any` in generated code", () => {
    for (const dir of ["gen-ts", "gen-jsdts"]) {
      for (const [file, bytes] of readTree(path.join(good, dir))) {
        if (file.includes("_sluice.")) {
          const code = bytes
            .toString("utf8")
            .split("\n")
            .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line));
          expect({ file, anys: code.filter((line) => /\bany\b/.test(line)) }).toEqual({ file, anys: [] });
        }
      }
    }
  });

  it("is deterministic: two runs give identical bytes", () => {
    const first = readTree(path.join(good, "gen-ts"));
    const second = readTree(path.join(good, "gen-ts-again"));
    expect([...second.keys()]).toEqual([...first.keys()]);
    for (const [file, bytes] of first) {
      expect({ file, same: bytes.equals(second.get(file) ?? Buffer.alloc(0)) }).toEqual({ file, same: true });
    }
  });

  it("emits .js and .d.ts for target=js+dts, and CommonJS for js_import_style=legacy_commonjs", () => {
    expect(sluiceFiles(readTree(path.join(good, "gen-jsdts")))).toEqual([
      "acme/awkward/v1/awkward_sluice.d.ts",
      "acme/awkward/v1/awkward_sluice.js",
      "acme/deep/nested/routing/v1/routing_sluice.d.ts",
      "acme/deep/nested/routing/v1/routing_sluice.js",
      "acme/keywords/v1/keywords_sluice.d.ts",
      "acme/keywords/v1/keywords_sluice.js",
      "acme/streams/v1/streams_sluice.d.ts",
      "acme/streams/v1/streams_sluice.js",
    ]);
    const esm = text(path.join(good, "gen-jsdts/acme/streams/v1/streams_sluice.js"));
    expect(esm).toContain('import { CustomerService, EmptyService, StreamService } from "./streams_pb.js";');
    expect(esm).toContain("export function createStreamServiceClient(transport, overrides, options) {");
    const cjs = text(path.join(good, "gen-cjs/acme/streams/v1/streams_sluice.js"));
    expect(cjs).toContain('require("./streams_pb")');
    expect(cjs).toContain("exports.createStreamServiceClient = createStreamServiceClient;");
  });

  it("aliases imports that collide and spells shadowed globals through globalThis", () => {
    const out = text(path.join(good, "gen-ts/acme/keywords/v1/keywords_sluice.ts"));
    expect(out).toContain("Code as Code$1");
    expect(out).toContain("Transport as Transport$1");
    expect(out).toContain("export const deletePolicies: PolicyTable<typeof delete$> = {");
    expect(out).toContain("  constructor$: {");
    expect(out).toContain("  toString$(requests: globalThis.AsyncIterable<ConnectRouter>, context: HandlerContext$1)");
    expect(out).toContain("retryableCodes: [Code.Unavailable],");
    expect(out).toContain('get: (request: CallOptions): string | undefined => request.toString$?.id,');
  });

  it("merges service defaults field by field, fills in defaults, retries request streams and hedges a stream only by its own option", () => {
    const out = text(path.join(good, "gen-ts/acme/deep/nested/routing/v1/routing_sluice.ts"));
    const table = out.slice(out.indexOf("export const DefaultsServicePolicies"), out.indexOf("};", out.indexOf("export const DefaultsServicePolicies")) + 2);
    const retry = (attempts: number, initial: number, codes: string) =>
      `    retry: {\n      maxAttempts: ${attempts},\n      initialBackoffMs: ${initial},\n      maxBackoffMs: 5000,\n      backoffMultiplier: 2,\n      retryableCodes: [${codes}],\n    },\n`;
    const adaptive = (percentile: number, minSamples: number, floorMs: number, ceiling = "") =>
      `      adaptiveDelay: {\n        percentile: ${percentile},\n        minSamples: ${minSamples},\n        floorMs: ${floorMs},\n${ceiling}      },\n`;
    const hedge = (delay: number, codes: string, adaptiveDelay = adaptive(0.95, 20, 1)) =>
      `    hedge: {\n      maxAttempts: 2,\n      hedgingDelayMs: ${delay},\n      nonFatalCodes: [${codes}],\n${adaptiveDelay}    },\n`;
    expect(table).toBe(
      "export const DefaultsServicePolicies: PolicyTable<typeof DefaultsService> = {\n" +
        '  lookup: {\n    idempotency: "no-side-effects",\n    timeoutMs: 300,\n' + hedge(20, "") + "  },\n" +
        '  upsert: {\n    idempotency: "idempotent",\n    timeoutMs: 300,\n' + retry(4, 100, "Code.Unavailable") + "  },\n" +
        '  append: {\n    idempotency: "unknown",\n    timeoutMs: 300,\n  },\n' +
        '  tuned: {\n    idempotency: "no-side-effects",\n    timeoutMs: 50,\n' +
        '    cache: {\n      ttlMs: 100,\n      maxEntries: 0,\n      maxBytes: 1048576,\n      eviction: "arc",\n      staleWhileRevalidateMs: 0,\n      keyHeaders: ["x-tenant-id"],\n    },\n' +
        hedge(5, "Code.Unavailable") + "  },\n" +
        '  retuned: {\n    idempotency: "no-side-effects",\n    timeoutMs: 300,\n' + retry(4, 10, "Code.Unavailable, Code.ResourceExhausted") + "  },\n" +
        '  tail: {\n    idempotency: "no-side-effects",\n    timeoutMs: 300,\n' + retry(4, 100, "Code.Unavailable") + "  },\n" +
        '  watch: {\n    idempotency: "no-side-effects",\n    timeoutMs: 300,\n' +
        "    hedge: {\n      maxAttempts: 2,\n      hedgingDelayMs: 40,\n      nonFatalCodes: [],\n    },\n  },\n" +
        '  upload: {\n    idempotency: "idempotent",\n    timeoutMs: 300,\n' + retry(4, 100, "Code.Unavailable") + "  },\n" +
        '  converse: {\n    idempotency: "idempotent",\n    timeoutMs: 300,\n' + retry(3, 100, "Code.Unavailable") + "  },\n" +
        '  adaptive: {\n    idempotency: "no-side-effects",\n    timeoutMs: 300,\n' +
        hedge(5000, "", adaptive(0.999, 50, 0, "        ceilingMs: 250,\n")) + "  },\n" +
        "};",
    );
  });

  it("emits routing-key accessors that are safe through unset messages and oneofs", () => {
    // Loads the generated TypeScript (jest transpiles it) and reads keys from real messages.
    const dir = path.join(good, "gen-ts/acme/deep/nested/routing/v1");
    const pb = require(path.join(dir, "routing_pb.ts")) as { ByCustomerSchema: DescMessage };
    const sluice = require(path.join(dir, "routing_sluice.ts")) as {
      RoutingServicePolicies: Record<string, { routingKey?: { path: string; get(request: unknown): string | undefined } }>;
    };
    const key = (method: string, json: JsonValue): string | undefined =>
      sluice.RoutingServicePolicies[method].routingKey?.get(fromJson(pb.ByCustomerSchema, json));
    const full = {
      region: "eu",
      customer: {
        address: { zip: "10115" },
        accountNumber: "9007199254740993",
        tier: "TIER_GOLD",
        nickname: "nick",
        postal: { zip: "20095" },
        vip: true,
        score: 1.5,
        big: "18446744073709551615",
      },
    };
    expect(key("byRegion", full)).toBe("eu");
    expect(key("byZip", full)).toBe("10115");
    expect(key("byAccount", full)).toBe("9007199254740993");
    expect(key("byTier", full)).toBe("1");
    expect(key("byNickname", full)).toBe("nick");
    expect(key("byPostalZip", full)).toBe("20095");
    expect(key("byEmail", full)).toBeUndefined();
    expect(key("byEmail", { customer: { email: "a@b" } })).toBe("a@b");
    expect(key("byVip", full)).toBe("true");
    expect(key("byScore", full)).toBe("1.5");
    expect(key("byBig", full)).toBe("18446744073709551615");
    // Unset messages on the path give undefined; unset scalars their default.
    expect(key("byZip", {})).toBeUndefined();
    expect(key("byZip", { customer: {} })).toBeUndefined();
    expect(key("byPostalZip", { customer: {} })).toBeUndefined();
    expect(key("byAccount", { customer: {} })).toBe("0");
    expect(key("byNickname", { customer: {} })).toBeUndefined();
    expect(key("byRegion", {})).toBe("");
    expect(sluice.RoutingServicePolicies.byZip.routingKey?.path).toBe("customer.address.zip");
  });
});

/** Resolves when `signal` aborts. */
const untilAborted = (signal: AbortSignal): Promise<void> =>
  new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));

/** Two real servers of the generated DefaultsService answering with `impl`, a channel over both, and their cleanup. */
async function defaultsServiceFleet<C>(impl: object): Promise<{ channel: ReturnType<typeof createChannel>; client: C; close(): Promise<void> }> {
  const dir = path.join(good, "gen-ts/acme/deep/nested/routing/v1");
  const pb = require(path.join(dir, "routing_pb.ts")) as { DefaultsService: DescService };
  const sluice = require(path.join(dir, "routing_sluice.ts")) as { createDefaultsServiceClient(transport: Transport): C };
  const servers = await Promise.all(
    [0, 1].map(() =>
      serve({
        host: "127.0.0.1",
        shutdownGraceMs: 0,
        routes: (router) => router.service(pb.DefaultsService, impl as unknown as Partial<ServiceImpl<DescService>>),
      }),
    ),
  );
  const channel = createChannel({ target: `static:///${servers.map((s) => `127.0.0.1:${s.port}`).join(",")}`, outlierDetection: false });
  return {
    channel,
    client: sluice.createDefaultsServiceClient(channel),
    async close() {
      await channel.close(100);
      await Promise.all(servers.map((s) => s.shutdown({ graceMs: 100 })));
    },
  };
}

describe("generated adaptive hedging, end to end", () => {
  it("hedges after the learned latency percentile from the proto's hedging_delay_percentile, not the fixed 5 s", async () => {
    // The generated client and table of DefaultsService.Adaptive (p99.9, 50 samples, ceiling 250 ms,
    // fixed delay 5000 ms) against a real server whose first attempt of a "slow" call never answers.
    const attempts: Array<string | null> = [];
    const fleet = await defaultsServiceFleet<{ adaptive(request: { region: string }, options?: { timeoutMs?: number }): Promise<{ region: string }> }>({
      async adaptive(request: { region: string }, context: HandlerContext) {
        const previous = context.requestHeader.get("grpc-previous-rpc-attempts");
        if (request.region === "slow") attempts.push(previous);
        if (request.region === "slow" && previous === null) {
          await untilAborted(context.signal);
          throw new ConnectError("cancelled", Code.Canceled);
        }
        return { region: `${request.region}:${previous ?? "first"}` };
      },
    });
    try {
      for (let i = 0; i < 60; i++) await fleet.client.adaptive({ region: "fast" }, { timeoutMs: 10_000 });
      const started = performance.now();
      const answer = await fleet.client.adaptive({ region: "slow" }, { timeoutMs: 4_000 });
      const tookMs = performance.now() - started;
      expect(answer.region).toBe("slow:1");
      expect(attempts).toEqual([null, "1"]);
      // The hedge went out after at most the 250 ms ceiling; the fixed delay would have been 5000 ms.
      expect(tookMs).toBeLessThan(2_000);
      expect(fleet.channel.stats().attempts).toMatchObject({ hedges: 1, hedgesCancelled: 1 });
    } finally {
      await fleet.close();
    }
  }, 30_000);
});

describe("generated hedging of a server stream, end to end", () => {
  it("hedges DefaultsService.Watch by its own proto hedge: the first stream to send a message wins and the other's handler sees the cancel", async () => {
    // Watch declares hedge {max_attempts: 2, hedging_delay_ms: 40}; the first attempt's stream
    // sends nothing until cancelled, so the call can only finish through the hedge.
    let firstCancelled = 0;
    const fleet = await defaultsServiceFleet<{ watch(request: { region: string }, options?: { timeoutMs?: number }): AsyncIterable<{ region: string }> }>({
      async *watch(request: { region: string }, context: HandlerContext) {
        const previous = context.requestHeader.get("grpc-previous-rpc-attempts");
        if (previous === null) {
          await untilAborted(context.signal);
          firstCancelled++;
          return;
        }
        yield { region: `${request.region}:${previous}` };
        yield { region: `${request.region}:${previous}:2` };
      },
    });
    try {
      const regions: string[] = [];
      for await (const m of fleet.client.watch({ region: "eu" }, { timeoutMs: 5_000 })) regions.push(m.region);
      expect(regions).toEqual(["eu:1", "eu:1:2"]);
      expect(fleet.channel.stats().attempts).toMatchObject({ hedges: 1, hedgesCancelled: 1 });
      const deadline = Date.now() + 3_000;
      while (firstCancelled === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(firstCancelled).toBe(1);
    } finally {
      await fleet.close();
    }
  }, 30_000);
});

describe("protoc-gen-sluice on the names of issue 9", () => {
  it("quotes a method named new and spells String through globalThis when a service is named String", () => {
    const out = text(path.join(good, "gen-ts/acme/awkward/v1/awkward_sluice.ts"));
    expect(out).toContain('  "new"(request: MessageInitShape<typeof NamedSchema>, options?: CallOptions): Promise<Named>;');
    expect(out).toContain('  "new"(request: Named, context: HandlerContext): Promise<MessageInitShape<typeof NamedSchema>> | MessageInitShape<typeof NamedSchema>;');
    expect(out).toContain("return v === undefined ? undefined : globalThis.String(v);");
  });

  it("reads routing keys through wrapper types as protoc-gen-es unboxes them, and boxed in a oneof", () => {
    const dir = path.join(good, "gen-ts/acme/awkward/v1");
    const pb = require(path.join(dir, "awkward_pb.ts")) as { NamedSchema: DescMessage; PlainSchema: DescMessage };
    const sluice = require(path.join(dir, "awkward_sluice.ts")) as Record<
      string,
      Record<string, { routingKey?: { get(request: unknown): string | undefined } }>
    >;
    const key = (method: string, json: JsonValue): string | undefined => sluice.MakerPolicies[method].routingKey?.get(fromJson(pb.NamedSchema, json));
    expect(key("byName", { name: "ada" })).toBe("ada");
    expect(key("byName", {})).toBeUndefined();
    expect(key("byNumber", { number: "9007199254740993" })).toBe("9007199254740993");
    expect(key("byFlag", { flag: false })).toBe("false");
    expect(key("byBoxed", { boxed: "in-oneof" })).toBe("in-oneof");
    expect(key("byBoxed", {})).toBeUndefined();
    expect(sluice.StringPolicies.byId.routingKey?.get(fromJson(pb.PlainSchema, { id: "42" }))).toBe("42");
    expect(sluice.BigIntPolicies.number.routingKey?.get(fromJson(pb.PlainSchema, { id: "7" }))).toBe("7");
  });
});

describe("protoc-gen-sluice validation", () => {
  const where = (service: string, method?: string) =>
    `bad/v1/bad.proto: service bad.v1.${service}${method === undefined ? "" : `, method ${method}`}: `;
  const expected = [
    where("CacheService", "GetItem") + "(sluice.v1.method).cache requires idempotency_level = NO_SIDE_EFFECTS, got IDEMPOTENCY_UNKNOWN",
    where("CacheService", "Idem") + "(sluice.v1.method).cache requires idempotency_level = NO_SIDE_EFFECTS, got IDEMPOTENT",
    where("CacheService", "Stream") + "(sluice.v1.method).cache is only allowed on unary methods, got a server-streaming method",
    where("CacheService", "Values") + "(sluice.v1.method).cache.ttl_ms must be > 0, got 0",
    where("CacheService", "Values") + "(sluice.v1.method).cache.max_entries must be >= 0, got -1",
    where("CacheService", "Values") + "(sluice.v1.method).cache.max_bytes must be >= 0, got -5",
    where("CacheService", "Values") + "(sluice.v1.method).cache.stale_while_revalidate_ms must be >= 0, got -1",
    where("CacheService", "Values") + '(sluice.v1.method).cache.key_headers must hold lower-case header names (e.g. "x-tenant-id"), got "X-Tenant"',
    where("CacheService", "Values") + '(sluice.v1.method).cache.key_headers must hold lower-case header names (e.g. "x-tenant-id"), got "bad header"',
    where("CacheService", "NoBound") + "(sluice.v1.method).cache needs a bound: set max_entries > 0 or max_bytes > 0 (or both)",
    where("RetryService", "Unknown") + "(sluice.v1.method).retry requires idempotency_level = IDEMPOTENT or NO_SIDE_EFFECTS, got IDEMPOTENCY_UNKNOWN",
    where("RetryService", "ZeroAttempts") + "(sluice.v1.method).retry.max_attempts must be between 2 and 10, got 0",
    where("RetryService", "Values") + "(sluice.v1.method).retry.max_attempts must be between 2 and 10, got 11",
    where("RetryService", "Values") + "(sluice.v1.method).retry.initial_backoff_ms must be > 0 (or unset for the default 100), got -1",
    where("RetryService", "Values") + "(sluice.v1.method).retry.max_backoff_ms must be > 0 (or unset for the default 5000), got -2",
    where("RetryService", "Values") + "(sluice.v1.method).retry.backoff_multiplier must be >= 1 (or unset for the default 2), got 0.5",
    where("RetryService", "Values") + "(sluice.v1.method).retry.retryable_codes must not contain STATUS_CODE_UNSPECIFIED (accepted: STATUS_CODE_CANCELED .. STATUS_CODE_UNAUTHENTICATED)",
    where("RetryService", "MaxBelowInitial") + "(sluice.v1.method).retry.max_backoff_ms must be >= initial_backoff_ms (200), got 100",
    where("HedgeService", "Idem") + "(sluice.v1.method).hedge requires idempotency_level = NO_SIDE_EFFECTS, got IDEMPOTENT",
    where("HedgeService", "Values") + "(sluice.v1.method).timeout_ms must be >= 0, got -1",
    where("HedgeService", "Values") + "(sluice.v1.method).hedge.max_attempts must be between 2 and 10, got 0",
    where("HedgeService", "Values") + "(sluice.v1.method).hedge.hedging_delay_ms must be >= 0, got -1",
    where("HedgeService", "Values") + "(sluice.v1.method).hedge.non_fatal_codes must not contain STATUS_CODE_UNSPECIFIED (accepted: STATUS_CODE_CANCELED .. STATUS_CODE_UNAUTHENTICATED)",
    where("HedgeService", "Both") +
      "(sluice.v1.method) sets both retry and hedge; a method has one: pick retry (resend after a failure, for idempotent methods) " +
      "or hedge (send copies after a delay, for side-effect-free methods) and remove the other",
    where("HedgeService", "AdaptiveValues") + "(sluice.v1.method).hedge.hedging_delay_percentile must be a percent > 0 and < 100 (e.g. 95 or 99.5), got 100",
    where("HedgeService", "AdaptiveValues") + "(sluice.v1.method).hedge.hedging_delay_min_samples must be between 1 and 1000 (or unset for the default 20), got 1001",
    where("HedgeService", "AdaptiveValues") + "(sluice.v1.method).hedge.hedging_delay_floor_ms must be >= 0 (or unset for the default 1), got -1",
    where("HedgeService", "AdaptiveValues") + "(sluice.v1.method).hedge.hedging_delay_ceiling_ms must be >= 0 (0 or unset: no ceiling), got -2",
    where("HedgeService", "CeilingBelowFloor") + "(sluice.v1.method).hedge.hedging_delay_ceiling_ms must be >= hedging_delay_floor_ms (50), got 20",
    where("HedgeService", "NoPercentile") +
      "(sluice.v1.method).hedge.hedging_delay_min_samples needs hedging_delay_percentile (the adaptive delay's percentile): set it, or remove this field for a fixed hedging_delay_ms",
    where("HedgeService", "NoPercentile") +
      "(sluice.v1.method).hedge.hedging_delay_ceiling_ms needs hedging_delay_percentile (the adaptive delay's percentile): set it, or remove this field for a fixed hedging_delay_ms",
    where("AdaptiveDefaults") + "(sluice.v1.service).hedge.hedging_delay_percentile must be a percent > 0 and < 100 (e.g. 95 or 99.5), got -3",
    where("AdaptiveDefaults", "Get") +
      "(sluice.v1.method).hedge.hedging_delay_ceiling_ms must be >= hedging_delay_floor_ms (30, from (sluice.v1.service).hedge), got 10 (from (sluice.v1.method).hedge)",
    where("RoutingService", "Missing") + '(sluice.v1.method).routing_key "inner.nme": message bad.v1.Inner has no field "nme"',
    where("RoutingService", "Repeated") + '(sluice.v1.method).routing_key "inners.id" goes through repeated field bad.v1.Req.inners; only singular fields are allowed',
    where("RoutingService", "RepeatedLeaf") + '(sluice.v1.method).routing_key "inner.tags" goes through repeated field bad.v1.Inner.tags; only singular fields are allowed',
    where("RoutingService", "Map") + '(sluice.v1.method).routing_key "inner.labels" goes through map field bad.v1.Inner.labels; only singular fields are allowed',
    where("RoutingService", "Message") + '(sluice.v1.method).routing_key "inner.deep" must end at a singular scalar or enum field, got message field bad.v1.Inner.deep (bad.v1.Deep)',
    where("RoutingService", "Bytes") + '(sluice.v1.method).routing_key "inner.blob" must end at a singular scalar or enum field other than bytes, got bytes field bad.v1.Inner.blob',
    where("RoutingService", "ThroughScalar") + '(sluice.v1.method).routing_key "sku.length": field bad.v1.Req.sku is not a message, so "length" cannot be read from it',
    where("RoutingService", "Malformed") + '(sluice.v1.method).routing_key "inner..id" is not a field path (expected names separated by dots, e.g. "customer.id")',
    where("RoutingService", "ClientStream") + "(sluice.v1.method).routing_key is only allowed on unary and server-streaming methods, got a client-streaming method",
    where("BadDefaults") + "(sluice.v1.service).timeout_ms must be >= 0, got -5",
    where("BadDefaults") + "(sluice.v1.service).retry.max_attempts must be between 2 and 10, got 20",
    where("BadDefaults") + "(sluice.v1.service).retry.max_backoff_ms must be >= initial_backoff_ms (300), got 200",
    where("BadDefaults") + "(sluice.v1.service).retry.retryable_codes must not contain STATUS_CODE_UNSPECIFIED (accepted: STATUS_CODE_CANCELED .. STATUS_CODE_UNAUTHENTICATED)",
    where("BadDefaults") + "(sluice.v1.service).hedge.max_attempts must be between 2 and 10, got 1",
    ...[
      "Zero: (sluice.v1.method).limit.fixed.limit must be an integer >= 1 (required), got 0",
      "Aimd: (sluice.v1.method).limit.aimd.backoff_ratio must be a number >= 0.5 and <= 1, got 0.2",
      "Aimd: (sluice.v1.method).limit.aimd.timeout_ms must be a number > 0, got 0",
      "Aimd: (sluice.v1.method).limit.aimd.min_limit must be <= max_limit (10), got 20 (the default)",
      "Bounds: (sluice.v1.method).limit.gradient2.smoothing must be a number > 0 and <= 1, got 1.5",
      "Bounds: (sluice.v1.method).limit.gradient2.rtt_tolerance must be a number >= 1, got 0.5",
      "Bounds: (sluice.v1.method).limit.gradient2.initial_limit must be between min_limit (5) and max_limit (50), got 60",
      "Vegas: (sluice.v1.method).limit.vegas.probe_multiplier must be an integer >= 1, got 0",
      "Vegas: (sluice.v1.method).limit.vegas.initial_limit must be <= max_limit (20), got 30",
      "Envoy: (sluice.v1.method).limit.envoy_gradient.sample_percentile must be a number > 0 and <= 100, got 150",
      "Envoy: (sluice.v1.method).limit.envoy_gradient.jitter_percent must be a number >= 0 and <= 100, got -1",
      "Envoy: (sluice.v1.method).limit.envoy_gradient.min_concurrency must be <= max_limit (10), got 20",
      "QueueAlone: (sluice.v1.method).limit.queue needs a concurrency limit (fixed, aimd, vegas, gradient2 or envoy_gradient): a queue waits for a concurrency slot",
      "QueueAlone: (sluice.v1.method).limit.queue.max_queued must be an integer >= 1, got 0",
      "QueueAlone: (sluice.v1.method).limit.queue.timeout_ms must be > 0, got -5",
      "Empty: (sluice.v1.method).limit sets no limit: set a concurrency algorithm (fixed, aimd, vegas, gradient2 or envoy_gradient), a rate, or both",
      "Rate: (sluice.v1.method).limit.rate.rate must be a number > 0, got 0",
      "Rate: (sluice.v1.method).limit.rate.burst must be a number >= 1, got 0.5",
    ].map((line) => `bad/v1/limits.proto: service bad.v1.LimitsService, method ${line}`),
    ...[
      "BadWindow: (sluice.v1.method).limit.window.min_window_ms must be a number >= 100, got 50",
      "BadWindow: (sluice.v1.method).limit.window.window_size must be an integer >= 10, got 5",
      "WindowOnEnvoy: (sluice.v1.method).limit.window is only for aimd, vegas and gradient2 (they update per call), got envoy_gradient",
      "WindowAlone: (sluice.v1.method).limit.window needs a concurrency limit (aimd, vegas or gradient2): a window paces that limit's updates",
    ].map((line) => `bad/v1/limits.proto: service bad.v1.WindowService, method ${line}`),
    "bad/v1/limits.proto: service bad.v1.LimitDefaults: (sluice.v1.service).limit.fixed.limit must be an integer >= 1 (required), got -3",
    "bad/v1/more.proto: service bad.v1.MoreService, method Put: (sluice.v1.method).hedge requires idempotency_level = NO_SIDE_EFFECTS, got IDEMPOTENCY_UNKNOWN",
    ...[
      'Mutate: (sluice.v1.method).invalidates names "Nope", which is not a method of service bad.v1.InvalidatesService (methods: Get, Plain, Mutate, Pure, Upload)',
      'Mutate: (sluice.v1.method).invalidates names "Plain", which declares no (sluice.v1.method).cache',
      'Mutate: (sluice.v1.method).invalidates names "Get" twice',
      'Mutate: (sluice.v1.method).invalidates names "Mutate", the method itself',
      "Pure: (sluice.v1.method).invalidates requires a method with side effects, got idempotency_level = NO_SIDE_EFFECTS",
      "Upload: (sluice.v1.method).invalidates is only allowed on unary methods, got a client-streaming method",
    ].map((line) => `bad/v1/more.proto: service bad.v1.InvalidatesService, method ${line}`),
    'bad/v1/names.proto: service bad.v1.NamesService, method get: name becomes "get" in TypeScript, as method Get of the same service does; rename one method',
    'bad/v1/names.proto: service bad.v1.NamesService, method listItems: name becomes "listItems" in TypeScript, as method ListItems of the same service does; rename one method',
  ];

  it("fails buf generate and writes nothing", () => {
    expect(errorRun.status).not.toBe(0);
    expect(readTree(path.join(tmp, "errors/gen")).size).toBe(0);
  });

  it("reports every problem of every file at once, naming file, service, method and option field", () => {
    const lines = errorRun.stderr.split("\n");
    const header = lines.findIndex((l) => l.startsWith("protoc-gen-sluice: invalid sluice.v1 options"));
    expect(lines[header]).toBe(`protoc-gen-sluice: invalid sluice.v1 options (${expected.length} problems):`);
    expect(lines.slice(header + 1, header + 1 + expected.length)).toEqual(expected);
  });
});

describe("examples/inventory", () => {
  it("regenerates exactly the committed examples/inventory/gen", () => {
    expect(exampleRun.stderr).toBe("");
    expect(exampleRun.status).toBe(0);
    const fresh = readTree(path.join(tmp, "example/gen"));
    const committed = readTree(path.join(repoRoot, "examples/inventory/gen"));
    expect([...committed.keys()]).toEqual([...fresh.keys()]);
    for (const [file, bytes] of fresh) {
      expect({ file, text: committed.get(file)?.toString("utf8") }).toEqual({ file, text: bytes.toString("utf8") });
    }
  });

  it("ships an options.proto identical to proto/sluice/v1/options.proto", () => {
    const shipped = fs.readFileSync(path.join(repoRoot, "packages/codegen/proto/sluice/v1/options.proto"));
    const source = fs.readFileSync(path.join(repoRoot, "proto/sluice/v1/options.proto"));
    expect(shipped.equals(source)).toBe(true);
  });
});
