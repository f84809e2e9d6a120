// Prints a service's policy table `XxxPolicies`: plain data per method (client policies and the
// server-side limit) plus typed routing-key accessors, typed as `PolicyTable<typeof Xxx>`.
import type { GeneratedFile, Printable } from "@bufbuild/protoplugin";
import type { MethodPlan, ServicePlan } from "../policy/plan.js";
import type { Globals } from "./globals.js";
import type { ServiceNames } from "./names.js";
import { routingKeyAccessorBody } from "./routing-key-accessor.js";
import { wrap } from "./wrap.js";

/** Prints `export const XxxPolicies: PolicyTable<typeof Xxx> = { ... };`. */
export function printPolicies(f: GeneratedFile, plan: ServicePlan, names: ServiceNames, globals: Globals): void {
  const policyTable = f.import("PolicyTable", "@sluice/runtime", true);
  const service = f.importSchema(plan.service, true);
  f.print(
    f.jsDoc(
      wrap(
        `Client policies of service ${plan.service.typeName}, one entry per method, read from the ` +
          `sluice.v1 options in ${plan.service.file.name}.proto. ` +
          `Pass overrides to \`${names.createClient}\` to adjust them per client.`,
      ),
    ),
  );
  f.print(f.export("const", names.policies), ": ", policyTable, "<typeof ", service, "> = {");
  for (const method of plan.methods) {
    f.print("  ", method.method.localName, ": {");
    printMethodPolicy(f, method, globals);
    f.print("  },");
  }
  f.print("};");
  f.print();
}

function printMethodPolicy(f: GeneratedFile, plan: MethodPlan, globals: Globals): void {
  const code = (name: string): Printable[] => [f.import("Code", "@connectrpc/connect"), ".", name];
  const codes = (names: readonly string[]): Printable[] => {
    const out: Printable[] = ["["];
    names.forEach((name, i) => out.push(i > 0 ? ", " : "", ...code(name)));
    out.push("]");
    return out;
  };
  f.print("    idempotency: ", f.string(plan.idempotency), ",");
  if (plan.timeoutMs !== undefined) {
    f.print("    timeoutMs: ", plan.timeoutMs, ",");
  }
  const { cache, retry, hedge, routingKey } = plan;
  if (cache !== undefined) {
    f.print("    cache: {");
    f.print("      ttlMs: ", cache.ttlMs, ",");
    f.print("      maxEntries: ", cache.maxEntries, ",");
    f.print("      maxBytes: ", cache.maxBytes, ",");
    f.print("      eviction: ", f.string(cache.eviction), ",");
    f.print("      staleWhileRevalidateMs: ", cache.staleWhileRevalidateMs, ",");
    f.print("      keyHeaders: [", cache.keyHeaders.map((h) => JSON.stringify(h)).join(", "), "],");
    f.print("    },");
  }
  if (retry !== undefined) {
    f.print("    retry: {");
    f.print("      maxAttempts: ", retry.maxAttempts, ",");
    f.print("      initialBackoffMs: ", retry.initialBackoffMs, ",");
    f.print("      maxBackoffMs: ", retry.maxBackoffMs, ",");
    f.print("      backoffMultiplier: ", retry.backoffMultiplier, ",");
    f.print("      retryableCodes: ", ...codes(retry.retryableCodes), ",");
    f.print("    },");
  }
  if (hedge !== undefined) {
    f.print("    hedge: {");
    f.print("      maxAttempts: ", hedge.maxAttempts, ",");
    f.print("      hedgingDelayMs: ", hedge.hedgingDelayMs, ",");
    f.print("      nonFatalCodes: ", ...codes(hedge.nonFatalCodes), ",");
    const adaptive = hedge.adaptiveDelay;
    if (adaptive !== undefined) {
      f.print("      adaptiveDelay: {");
      f.print("        percentile: ", adaptive.percentile, ",");
      f.print("        minSamples: ", adaptive.minSamples, ",");
      f.print("        floorMs: ", adaptive.floorMs, ",");
      if (adaptive.ceilingMs !== undefined) f.print("        ceilingMs: ", adaptive.ceilingMs, ",");
      f.print("      },");
    }
    f.print("    },");
  }
  if (routingKey !== undefined) {
    const request = f.importShape(plan.method.input);
    f.print("    routingKey: {");
    f.print("      path: ", f.string(routingKey.path), ",");
    const body = routingKeyAccessorBody(routingKey.fields, globals.String);
    const single = body.length === 1 ? /^return (.*);$/.exec(body[0]) : null;
    if (single !== null) {
      f.print("      get: (request: ", request, "): string | undefined => ", single[1], ",");
    } else {
      f.print("      get: (request: ", request, "): string | undefined => {");
      for (const line of body) {
        f.print("        ", line);
      }
      f.print("      },");
    }
    f.print("    },");
  }
  if (plan.invalidates !== undefined) {
    f.print("    invalidates: [", plan.invalidates.map((name) => JSON.stringify(name)).join(", "), "],");
  }
  if (plan.limit !== undefined) {
    printLimit(f, plan.limit);
  }
}

/** Prints `limit: { concurrency, queue, rate }` with only the settings the .proto sets. */
function printLimit(f: GeneratedFile, limit: NonNullable<MethodPlan["limit"]>): void {
  f.print("    limit: {");
  const { concurrency, queue, rate } = limit;
  if (concurrency !== undefined) {
    f.print("      concurrency: {");
    f.print("        algorithm: ", f.string(concurrency.algorithm), ",");
    for (const [name, value] of concurrency.settings) {
      f.print("        ", name, ": ", value, ",");
    }
    if (concurrency.window !== undefined) {
      f.print("        window: {");
      for (const [name, value] of concurrency.window) {
        f.print("          ", name, ": ", value, ",");
      }
      f.print("        },");
    }
    f.print("      },");
  }
  if (queue !== undefined) {
    f.print("      queue: {");
    f.print("        maxQueued: ", queue.maxQueued, ",");
    f.print("        timeoutMs: ", queue.timeoutMs, ",");
    f.print("        order: ", f.string(queue.order), ",");
    f.print("      },");
  }
  if (rate !== undefined) {
    f.print("      rate: {");
    f.print("        rate: ", rate.rate, ",");
    if (rate.burst !== undefined) {
      f.print("        burst: ", rate.burst, ",");
    }
    f.print("      },");
  }
  f.print("    },");
}
