// The plugin's TypeScript generator: one `<name>_sluice.ts` per proto file with services,
// after validating the sluice.v1 options of every service in the request.
import type { DescFile } from "@bufbuild/protobuf";
import type { Schema } from "@bufbuild/protoplugin";
import type { ServicePlan } from "./policy/plan.js";
import { createProblems, SluiceOptionsError } from "./policy/problems.js";
import { readServicePlan } from "./policy/read-service-plan.js";
import { globalsFor } from "./print/globals.js";
import { serviceNames } from "./print/names.js";
import { printClient } from "./print/print-client.js";
import { printHandlers } from "./print/print-handlers.js";
import { printPolicies } from "./print/print-policies.js";

/**
 * Generates `<name>_sluice.ts` for every file to generate that declares services. Reads and
 * validates all files first and throws one {@link SluiceOptionsError} listing every problem.
 */
export function generateTs(schema: Schema): void {
  const problems = createProblems();
  const plans = new Map<DescFile, ServicePlan[]>();
  for (const file of schema.files) {
    if (file.services.length === 0) continue;
    plans.set(file, file.services.map((service) => readServicePlan(service, problems)));
    checkNameCollisions(file, problems.at.bind(problems));
  }
  if (problems.list.length > 0) {
    throw new SluiceOptionsError(problems.list);
  }
  for (const [file, services] of plans) {
    const f = schema.generateFile(`${file.name}_sluice.ts`);
    f.preamble(file);
    const globals = globalsFor(services);
    for (const plan of services) {
      const names = serviceNames(plan.service);
      printPolicies(f, plan, names, globals);
      printClient(f, plan, names, globals);
      printHandlers(f, plan, names, globals);
    }
  }
}

/**
 * Reports services of one file whose generated names collide (e.g. services `Foo` and `foo`), and
 * methods of one service with the same TypeScript name (`Get` and `get`: protobuf-es lower-cases
 * the first letter): the client, handlers and policy table would each declare it twice.
 */
function checkNameCollisions(file: DescFile, at: ReturnType<typeof createProblems>["at"]): void {
  const owner = new Map<string, string>();
  for (const service of file.services) {
    const methodOwner = new Map<string, string>();
    for (const method of service.methods) {
      const other = methodOwner.get(method.localName);
      if (other !== undefined) {
        at(service, method)("name", `becomes "${method.localName}" in TypeScript, as method ${other} of the same service does; rename one method`);
      } else {
        methodOwner.set(method.localName, method.name);
      }
    }
    for (const name of Object.values(serviceNames(service))) {
      const other = owner.get(name);
      if (other !== undefined) {
        at(service)("name", `generates "${name}", which service ${other} in the same file generates too; rename one service`);
      } else {
        owner.set(name, service.typeName);
      }
    }
  }
}
