// Prints a service's client: the `XxxClient` interface (Connect's `Client<S>` shape, one typed
// method per rpc, with the rpc's comments) and the `createXxxClient` factory.
import type { DescMethod } from "@bufbuild/protobuf";
import type { GeneratedFile, Printable } from "@bufbuild/protoplugin";
import type { ServicePlan } from "../policy/plan.js";
import type { Globals } from "./globals.js";
import { memberName, type ServiceNames } from "./names.js";
import { wrap } from "./wrap.js";

/** Prints `export interface XxxClient` and `export function createXxxClient(transport, overrides?, options?)`. */
export function printClient(f: GeneratedFile, plan: ServicePlan, names: ServiceNames, g: Globals): void {
  const callOptions = f.import("CallOptions", "@connectrpc/connect", true);
  const transport = f.import("Transport", "@connectrpc/connect", true);
  const policyOverrides = f.import("PolicyOverrides", "@sluice/runtime", true);
  const policyClientOptions = f.import("PolicyClientOptions", "@sluice/runtime", true);
  const cacheLayer = f.import("CacheLayer", "@sluice/runtime", true);
  const createPolicyClient = f.import("createPolicyClient", "@sluice/runtime");
  const service = f.importSchema(plan.service);
  const serviceType = f.importSchema(plan.service, true);

  f.print(
    f.jsDoc(
      wrap(
        `A typed client of service ${plan.service.typeName}: one method per rpc, each applying ` +
          `the method's policy from \`${names.policies}\`.`,
      ),
    ),
  );
  f.print(f.export("interface", names.client), " {");
  plan.methods.forEach(({ method }, i) => {
    if (i > 0) f.print();
    f.print(f.jsDoc(method, "  "));
    f.print("  ", memberName(method.localName), "(", ...clientSignature(f, method, callOptions, g), ";");
  });
  f.print();
  f.print("  /** The client's response cache: invalidate(method, request?), clear(), stats(). */");
  f.print("  readonly $cache: ", cacheLayer, ";");
  f.print("}");
  f.print();
  f.print(
    f.jsDoc(
      wrap(
        `Creates the typed client \`${names.client}\` over a Connect transport (a Sluice channel ` +
          `or a plain Connect transport), applying \`${names.policies}\` adjusted by ` +
          `\`overrides\` (a field set to \`null\` turns that policy off); \`options\` adds call-level ` +
          `interceptors, a shared or configured response cache, and method layers.`,
      ),
    ),
  );
  f.print(f.export("function", names.createClient), "(");
  f.print("  transport: ", transport, ",");
  f.print("  overrides?: ", policyOverrides, "<typeof ", serviceType, ">,");
  f.print("  options?: ", policyClientOptions, ",");
  f.print("): ", names.client, " {");
  f.print("  return ", createPolicyClient, "(", service, ", transport, ", names.policies, ", overrides, options);");
  f.print("}");
  f.print();
}

/** The parameters and return type of a client method, after the opening parenthesis. */
function clientSignature(f: GeneratedFile, method: DescMethod, callOptions: Printable, g: Globals): Printable[] {
  const messageInitShape = f.import("MessageInitShape", "@bufbuild/protobuf", true);
  const input: Printable[] = [messageInitShape, "<typeof ", f.importSchema(method.input, true), ">"];
  const output = f.importShape(method.output);
  const streamsIn = method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming";
  const streamsOut = method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming";
  return [
    "request: ",
    ...(streamsIn ? [g.AsyncIterable, "<", ...input, ">"] : input),
    ", options?: ",
    callOptions,
    "): ",
    streamsOut ? g.AsyncIterable : g.Promise,
    "<",
    output,
    ">",
  ];
}
