// grpc-js service definition of bench.v1.EchoService, (de)serialized by protobuf-es (no proto-loader).
import { fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import type { ServiceDefinition } from "@grpc/grpc-js";
import {
  EchoRequestSchema,
  EchoResponseSchema,
  EchoStreamRequestSchema,
  EchoStreamResponseSchema,
  EchoUploadResponseSchema,
  type EchoRequest,
  type EchoResponse,
  type EchoStreamRequest,
  type EchoStreamResponse,
  type EchoUploadResponse,
} from "../../gen/bench/v1/echo_pb.js";

function serializer<D extends DescMessage>(schema: D): (value: MessageShape<D>) => Buffer {
  return (value) => {
    const bytes = toBinary(schema, value);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

function deserializer<D extends DescMessage>(schema: D): (bytes: Buffer) => MessageShape<D> {
  return (bytes) => fromBinary(schema, bytes);
}

/** Method paths and codecs of EchoService for grpc-js's Server.addService and Client.make*Request. */
export const echoServiceDefinition = {
  echo: {
    path: "/bench.v1.EchoService/Echo",
    requestStream: false,
    responseStream: false,
    requestSerialize: serializer(EchoRequestSchema),
    requestDeserialize: deserializer(EchoRequestSchema),
    responseSerialize: serializer(EchoResponseSchema),
    responseDeserialize: deserializer(EchoResponseSchema),
  },
  echoStream: {
    path: "/bench.v1.EchoService/EchoStream",
    requestStream: false,
    responseStream: true,
    requestSerialize: serializer(EchoStreamRequestSchema),
    requestDeserialize: deserializer(EchoStreamRequestSchema),
    responseSerialize: serializer(EchoStreamResponseSchema),
    responseDeserialize: deserializer(EchoStreamResponseSchema),
  },
  echoUpload: {
    path: "/bench.v1.EchoService/EchoUpload",
    requestStream: true,
    responseStream: false,
    requestSerialize: serializer(EchoRequestSchema),
    requestDeserialize: deserializer(EchoRequestSchema),
    responseSerialize: serializer(EchoUploadResponseSchema),
    responseDeserialize: deserializer(EchoUploadResponseSchema),
  },
  echoBidi: {
    path: "/bench.v1.EchoService/EchoBidi",
    requestStream: true,
    responseStream: true,
    requestSerialize: serializer(EchoRequestSchema),
    requestDeserialize: deserializer(EchoRequestSchema),
    responseSerialize: serializer(EchoResponseSchema),
    responseDeserialize: deserializer(EchoResponseSchema),
  },
} satisfies ServiceDefinition;

/** Message types of the definition, re-exported for the grpc-js contenders. */
export type { EchoRequest, EchoResponse, EchoStreamRequest, EchoStreamResponse, EchoUploadResponse };
