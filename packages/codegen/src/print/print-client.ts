// Prints a service's client: the `XxxClient` interface (Connect's `Client<S>` shape, one typed
// method per rpc, with the rpc's comments, plus `method$` Observable twins) and `createXxxClient`.
import type { DescMethod } from "@bufbuild/protobuf";
import type { GeneratedFile, Printable } from "@bufbuild/protoplugin";
import type { ServicePlan } from "../policy/plan.js";
import type { Globals } from "./globals.js";
import { memberName, type ServiceNames } from "./names.js";
import { wrap } from "./wrap.js";

/** Prints `export interface XxxClient` and `export function createXxxClient(transport, overrides?, options?)`. */
export function printClient(f: GeneratedFile, plan: ServicePlan, names: ServiceNames, g: Globals): void {
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
          `the method's policy from \`${names.policies}\`, and a \`method$\` twin returning a cold rxjs ` +
          `Observable for every ${plan.rxjsUnary ? "" : "server-streaming and bidi "}rpc (subscribing starts the call, ` +
          `unsubscribing cancels it). Request streams may be an AsyncIterable or an Observable.`,
      ),
    ),
  );
  f.print(f.export("interface", names.client), " {");
  plan.methods.forEach(({ method }, i) => {
    if (i > 0) f.print();
    f.print(f.jsDoc(method, "  "));
    f.print("  ", memberName(method.localName), "(", ...clientSignature(f, method, g, false), ";");
    if (hasObservableTwin(method, plan.rxjsUnary)) {
      f.print();
      f.print(
        f.jsDoc(
          `The Observable twin of \`${method.localName}\`: cold; subscribing starts the call, unsubscribing\n` +
            `cancels it, errors arrive as ConnectError.\n\n@generated from rpc ${method.parent.typeName}.${method.name}`,
          "  ",
        ),
      );
      f.print("  ", memberName(`${method.localName}$`), "(", ...clientSignature(f, method, g, true), ";");
    }
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
          `interceptors, a shared or configured response cache and method layers, and sets how ` +
          `Observable request streams are buffered.`,
      ),
    ),
  );
  f.print(f.export("function", names.createClient), "(");
  f.print("  transport: ", transport, ",");
  f.print("  overrides?: ", policyOverrides, "<typeof ", serviceType, ">,");
  f.print("  options?: ", policyClientOptions, ",");
  f.print("): ", names.client, " {");
  f.print(
    "  return ", createPolicyClient, "(", service, ", transport, ", names.policies, ", overrides, { ...options, rxjsUnary: ",
    plan.rxjsUnary ? "true" : "false", " });",
  );
  f.print("}");
  f.print();
}

/** Whether a method gets a `method$` twin: streaming responses always, single ones on `rxjs_unary`. */
function hasObservableTwin(method: DescMethod, rxjsUnary: boolean): boolean {
  return method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming" || rxjsUnary;
}

/** The parameters and return type of a client method (or its Observable twin), after the opening parenthesis. */
function clientSignature(f: GeneratedFile, method: DescMethod, g: Globals, twin: boolean): Printable[] {
  const messageInitShape = f.import("MessageInitShape", "@bufbuild/protobuf", true);
  const input: Printable[] = [messageInitShape, "<typeof ", f.importSchema(method.input, true), ">"];
  const output = f.importShape(method.output);
  const streamsIn = method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming";
  const streamsOut = method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming";
  const observable = f.import("Observable", "@sluice/runtime", true);
  const options = streamsIn ? f.import("StreamCallOptions", "@sluice/runtime", true) : f.import("CallOptions", "@connectrpc/connect", true);
  const result: Printable = twin ? observable : streamsOut ? g.AsyncIterable : g.Promise;
  return [
    "request: ",
    ...(streamsIn ? [g.AsyncIterable, "<", ...input, "> | ", observable, "<", ...input, ">"] : input),
    ", options?: ",
    options,
    "): ",
    result,
    "<",
    output,
    ">",
  ];
}
