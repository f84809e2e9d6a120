// The identifiers protoc-gen-sluice declares for a service, derived from the proto service name.
import type { DescService } from "@bufbuild/protobuf";

/** Names of the declarations generated for one service. */
export interface ServiceNames {
  /** The policy table constant, `XxxPolicies`. */
  readonly policies: string;
  /** The client interface, `XxxClient`. */
  readonly client: string;
  /** The client factory, `createXxxClient`. */
  readonly createClient: string;
  /** The handler interface, `XxxHandlers`. */
  readonly handlers: string;
  /** The handlers with `unimplemented` allowed per method, `PartialXxxHandlers`. */
  readonly partialHandlers: string;
  /** The registration function, `registerXxx`. */
  readonly register: string;
}

/** Derives the generated names of `service` from its proto name (`InventoryService` → `createInventoryServiceClient`). */
export function serviceNames(service: DescService): ServiceNames {
  const name = service.name;
  const upper = name.charAt(0).toUpperCase() + name.slice(1);
  return {
    policies: `${name}Policies`,
    client: `${name}Client`,
    createClient: `create${upper}Client`,
    handlers: `${name}Handlers`,
    partialHandlers: `Partial${upper}Handlers`,
    register: `register${upper}`,
  };
}

/**
 * How an interface member named `localName` is spelled: quoted when it would not read as a plain
 * method, e.g. `new`, which unquoted declares a construct signature (`new(request): …`).
 */
export function memberName(localName: string): string {
  return localName === "new" || !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(localName) ? JSON.stringify(localName) : localName;
}
