// Test support: a grpc-js service definition for any protobuf-es service descriptor, serialising
// with protobuf-es, so grpc-js clients and servers talk to Sluice without proto-loader.
import type * as grpc from "@grpc/grpc-js";
import { fromBinary, toBinary, type DescMessage, type DescMethod, type DescService, type MessageShape } from "@bufbuild/protobuf";

/** The grpc-js definition of one method. */
export function grpcJsMethod(method: DescMethod): grpc.MethodDefinition<object, object> {
  const serialize = <D extends DescMessage>(schema: D) => (value: MessageShape<D>): Buffer => Buffer.from(toBinary(schema, value));
  const deserialize = <D extends DescMessage>(schema: D) => (bytes: Buffer): MessageShape<D> => fromBinary(schema, bytes);
  return {
    path: `/${method.parent.typeName}/${method.name}`,
    requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
    responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
    requestSerialize: serialize(method.input) as (value: object) => Buffer,
    requestDeserialize: deserialize(method.input) as (bytes: Buffer) => object,
    responseSerialize: serialize(method.output) as (value: object) => Buffer,
    responseDeserialize: deserialize(method.output) as (bytes: Buffer) => object,
  };
}

/** The grpc-js definition of a whole service, keyed by each method's local name. */
export function grpcJsService(service: DescService): grpc.ServiceDefinition {
  return Object.fromEntries(service.methods.map((method) => [method.localName, grpcJsMethod(method)]));
}
