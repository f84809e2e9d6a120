// Builds the body of a typed routing-key accessor: walks the field path safely through unset
// messages and oneofs, and converts the leaf value to a string.
import { ScalarType, type DescField } from "@bufbuild/protobuf";
import { isWrapperDesc } from "@bufbuild/protobuf/wkt";

/**
 * Returns the statements of `(request) => string | undefined` reading the field path `fields`
 * from `request`: optional chaining through singular messages, a case check for oneof members,
 * wrapper fields read as the scalar protoc-gen-es unboxes them to, and `String(v)` for every leaf
 * that is not a string.
 */
export function routingKeyAccessorBody(fields: readonly DescField[], stringFn = "String"): string[] {
  const lines: string[] = [];
  let expr = "request";
  let maybeUndefined = false;
  let temp = 0;
  const materialize = (): void => {
    if (maybeUndefined) {
      const name = `m${temp++}`;
      lines.push(`const ${name} = ${expr};`, `if (${name} === undefined) return undefined;`);
      expr = name;
      maybeUndefined = false;
    }
  };
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as DescField;
    if (isUnboxedWrapper(field)) {
      // protoc-gen-es gives a singular wrapper field outside a oneof its scalar type
      // (`string | undefined` for StringValue): the path's `.value` is already read.
      expr = `${expr}${maybeUndefined ? "?." : "."}${field.localName}`;
      maybeUndefined = true;
      i++;
      continue;
    }
    if (field.oneof !== undefined) {
      materialize();
      const group = `${expr}.${field.oneof.localName}`;
      const name = `m${temp++}`;
      lines.push(`const ${name} = ${group}.case === ${JSON.stringify(field.localName)} ? ${group}.value : undefined;`);
      expr = name;
    } else {
      expr = `${expr}${maybeUndefined ? "?." : "."}${field.localName}`;
    }
    maybeUndefined = true;
  }
  const leaf = fields[fields.length - 1];
  const isString = leaf.fieldKind === "scalar" && leaf.scalar === ScalarType.STRING;
  if (isString) {
    lines.push(`return ${expr};`);
  } else {
    lines.push(`const v = ${expr};`, `return v === undefined ? undefined : ${stringFn}(v);`);
  }
  return lines;
}

/** Whether protoc-gen-es types `field` as its wrapper's scalar: a singular wrapper field outside a oneof. */
function isUnboxedWrapper(field: DescField): boolean {
  return field.fieldKind === "message" && field.oneof === undefined && isWrapperDesc(field.message);
}
