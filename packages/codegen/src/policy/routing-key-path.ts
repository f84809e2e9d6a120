// Resolves a routing_key option (a request field path such as "customer.id") to the fields it
// walks through, checking that it names a singular scalar or enum through singular messages.
import { ScalarType, type DescField, type DescMessage } from "@bufbuild/protobuf";
import type { Report } from "./problems.js";
import type { RoutingKeyPlan } from "./plan.js";

const option = "(sluice.v1.method).routing_key";

/**
 * Resolves `path` against the request message `input`; reports a problem and returns `undefined`
 * when the path is malformed, names a missing field, goes through a repeated or map field, or
 * does not end at a singular scalar (other than bytes) or enum field.
 */
export function resolveRoutingKeyPath(
  input: DescMessage,
  path: string,
  report: Report,
): RoutingKeyPlan | undefined {
  const names = path.split(".");
  if (names.some((n) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n))) {
    report(option, `"${path}" is not a field path (expected names separated by dots, e.g. "customer.id")`);
    return undefined;
  }
  const fields: DescField[] = [];
  let message: DescMessage = input;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const field = message.fields.find((f) => f.name === name);
    if (field === undefined) {
      report(option, `"${path}": message ${message.typeName} has no field "${name}"`);
      return undefined;
    }
    fields.push(field);
    const last = i === names.length - 1;
    switch (field.fieldKind) {
      case "list":
        report(option, `"${path}" goes through repeated field ${message.typeName}.${field.name}; only singular fields are allowed`);
        return undefined;
      case "map":
        report(option, `"${path}" goes through map field ${message.typeName}.${field.name}; only singular fields are allowed`);
        return undefined;
      case "message":
        if (last) {
          report(option, `"${path}" must end at a singular scalar or enum field, got message field ${message.typeName}.${field.name} (${field.message.typeName})`);
          return undefined;
        }
        message = field.message;
        break;
      case "scalar":
      case "enum":
        if (!last) {
          report(option, `"${path}": field ${message.typeName}.${field.name} is not a message, so "${names.slice(i + 1).join(".")}" cannot be read from it`);
          return undefined;
        }
        if (field.fieldKind === "scalar" && field.scalar === ScalarType.BYTES) {
          report(option, `"${path}" must end at a singular scalar or enum field other than bytes, got bytes field ${message.typeName}.${field.name}`);
          return undefined;
        }
        break;
    }
  }
  return { path, fields };
}
