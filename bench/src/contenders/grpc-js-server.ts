// Server of the grpc-js contender: @grpc/grpc-js Server with the protobuf-es service definition.
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { choiceOption, type StartServer } from "../harness/contracts.js";
import { benchPki } from "./bench-tls.js";
import { EchoResponseSchema, EchoStreamResponseSchema, EchoUploadResponseSchema } from "../../gen/bench/v1/echo_pb.js";
import {
  echoServiceDefinition,
  type EchoRequest,
  type EchoResponse,
  type EchoStreamRequest,
  type EchoStreamResponse,
  type EchoUploadResponse,
} from "./grpc-js-definition.js";

const MAX_STREAM_MS = 300_000;

async function streamTo(call: grpc.ServerWritableStream<EchoStreamRequest, EchoStreamResponse>): Promise<void> {
  const message = create(EchoStreamResponseSchema, { payload: call.request.payload });
  const deadline = Date.now() + MAX_STREAM_MS;
  for (let i = 0; i < call.request.count; i++) {
    if (call.cancelled || Date.now() > deadline) break;
    if (!call.write(message)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          call.off("drain", done);
          call.off("cancelled", done);
          resolve();
        };
        call.on("drain", done);
        call.on("cancelled", done);
      });
    }
  }
  call.end();
}

/** Answers each request as it arrives; stops reading while the response stream is full. */
function echoEach(call: grpc.ServerDuplexStream<EchoRequest, EchoResponse>): void {
  call.on("data", (request: EchoRequest) => {
    if (!call.write(create(EchoResponseSchema, { payload: request.payload }))) {
      call.pause();
      call.once("drain", () => call.resume());
    }
  });
  call.on("end", () => call.end());
  call.on("error", () => undefined);
}

/** Starts EchoService on 127.0.0.1, port 0. Options: `tls` "false" (default) or "true" (TLS with the bench certificates). */
export const startServer: StartServer = async (options) => {
  const tls = choiceOption(options, "tls", ["false", "true"] as const, "false") === "true";
  const pki = tls ? benchPki() : undefined;
  const credentials =
    pki === undefined
      ? grpc.ServerCredentials.createInsecure()
      : grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(pki.key), cert_chain: Buffer.from(pki.cert) }]);
  const server = new grpc.Server();
  server.addService(echoServiceDefinition, {
    echo(call: grpc.ServerUnaryCall<EchoRequest, EchoResponse>, callback: grpc.sendUnaryData<EchoResponse>) {
      callback(null, create(EchoResponseSchema, { payload: call.request.payload }));
    },
    echoStream(call: grpc.ServerWritableStream<EchoStreamRequest, EchoStreamResponse>) {
      void streamTo(call);
    },
    echoUpload(call: grpc.ServerReadableStream<EchoRequest, EchoUploadResponse>, callback: grpc.sendUnaryData<EchoUploadResponse>) {
      let count = 0;
      call.on("data", () => count++);
      call.on("end", () => callback(null, create(EchoUploadResponseSchema, { count })));
      call.on("error", () => undefined);
    },
    echoBidi: echoEach,
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", credentials, (error, p) => (error ? reject(error) : resolve(p)));
  });
  return {
    ports: [port],
    close: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
};
