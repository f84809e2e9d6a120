// Prints a service's server side: the typed `XxxHandlers` interface, `PartialXxxHandlers` (methods
// may be `unimplemented`) and `registerXxx(router, impl, options?)`.
import type { DescMethod } from "@bufbuild/protobuf";
import type { GeneratedFile, Printable } from "@bufbuild/protoplugin";
import type { ServicePlan } from "../policy/plan.js";
import type { Globals } from "./globals.js";
import { memberName, type ServiceNames } from "./names.js";
import { wrap } from "./wrap.js";

/** Prints `export interface XxxHandlers`, `export type PartialXxxHandlers` and `export function registerXxx(...)`. */
export function printHandlers(f: GeneratedFile, plan: ServicePlan, names: ServiceNames, g: Globals): void {
  const handlerContext = f.import("HandlerContext", "@connectrpc/connect", true);
  const connectRouter = f.import("ConnectRouter", "@connectrpc/connect", true);
  const registerOptions = f.import("RegisterOptions", "@sluice/runtime", true);
  const unimplementedType = f.import("Unimplemented", "@sluice/runtime", true);
  const registerService = f.import("registerService", "@sluice/runtime");
  const service = f.importSchema(plan.service);
  // The policy table carries the methods' server-side limits, which serve() applies.
  const limited = plan.methods.some((m) => m.limit !== undefined);

  f.print(
    f.jsDoc(
      wrap(
        `The server implementation of service ${plan.service.typeName}: one handler per rpc. ` +
          `Unary handlers may answer with a plain object or a promise of one, client-streaming ` +
          `handlers with a promise; server-streaming and bidi handlers return an AsyncIterable ` +
          `(e.g. an async generator) or an rxjs Observable. Request streams are AsyncIterables; ` +
          `\`observeRequests(requests)\` reads one as an Observable.`,
      ),
    ),
  );
  f.print(f.export("interface", names.handlers), " {");
  plan.methods.forEach(({ method }, i) => {
    if (i > 0) f.print();
    f.print(f.jsDoc(method, "  "));
    f.print("  ", memberName(method.localName), "(", ...handlerSignature(f, method, handlerContext, g), ";");
  });
  f.print("}");
  f.print();
  f.print(
    f.jsDoc(
      wrap(
        `The handlers of service ${plan.service.typeName}, where a method may be set to ` +
          `\`unimplemented\` (from @sluice/runtime) to answer UNIMPLEMENTED. Every method must be ` +
          `listed, so leaving one out is a choice, not a typo.`,
      ),
    ),
  );
  f.print(
    f.export("type", names.partialHandlers), " = { readonly [K in keyof ", names.handlers, "]: ", names.handlers, "[K] | ",
    unimplementedType, " };",
  );
  f.print();
  f.print(
    f.jsDoc(
      wrap(
        `Registers the handlers of service ${plan.service.typeName} on a Connect router ` +
          `(e.g. in \`serve({ routes })\` or \`connectNodeAdapter({ routes })\`); returns the router. ` +
          `Observables returned by streaming handlers are read through a bounded buffer ` +
          `(\`options.observableOutput\`) and unsubscribed when the call ends or is cancelled.` +
          (limited
            ? ` The methods' server-side limits (\`limit\` in ${names.policies}) are applied by \`serve()\`.`
            : ""),
      ),
    ),
  );
  f.print(f.export("function", names.register), "(");
  f.print("  router: ", connectRouter, ",");
  f.print("  impl: ", names.handlers, " | ", names.partialHandlers, ",");
  f.print("  options?: ", registerOptions, ",");
  f.print("): ", connectRouter, " {");
  f.print("  return ", registerService, "(router, ", service, ", impl, options", limited ? [", ", names.policies] : "", ");");
  f.print("}");
  f.print();
}

/** The parameters and return type of a handler, after the opening parenthesis. */
function handlerSignature(f: GeneratedFile, method: DescMethod, handlerContext: Printable, g: Globals): Printable[] {
  const messageInitShape = f.import("MessageInitShape", "@bufbuild/protobuf", true);
  const input = f.importShape(method.input);
  const output: Printable[] = [messageInitShape, "<typeof ", f.importSchema(method.output, true), ">"];
  const observable = f.import("Observable", "@sluice/runtime", true);
  const stream: Printable[] = [g.AsyncIterable, "<", ...output, "> | ", observable, "<", ...output, ">"];
  switch (method.methodKind) {
    case "unary":
      return ["request: ", input, ", context: ", handlerContext, "): ", g.Promise, "<", ...output, "> | ", ...output];
    case "server_streaming":
      return ["request: ", input, ", context: ", handlerContext, "): ", ...stream];
    case "client_streaming":
      return ["requests: ", g.AsyncIterable, "<", input, ">, context: ", handlerContext, "): ", g.Promise, "<", ...output, ">"];
    case "bidi_streaming":
      return ["requests: ", g.AsyncIterable, "<", input, ">, context: ", handlerContext, "): ", ...stream];
  }
}
