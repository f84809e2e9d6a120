// Interop over TLS and mutual TLS, both ways: a grpc-js client against serve({ tls }) (unary and
// server streaming, the client certificate visible to the handler), and a Sluice channel on both
// transports against a grpc-js server with TLS and with client-certificate checks.
import * as grpc from "@grpc/grpc-js";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type HandlerContext } from "@connectrpc/connect";
import { createChannel, serve, tlsPeerKey, type ChannelTlsOptions, type Server, type TransportImplementation } from "@sluice/runtime";
import { EchoRequestSchema, EchoResponseSchema, EchoService, type EchoRequest, type EchoResponse } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { echoImpl } from "../fast-path/echo-service.js";
import { grpcJsService } from "../support/grpc-js-definition.js";
import { testPki } from "../support/certificates.js";

const pki = testPki();
const serviceDefinition = grpcJsService(EchoService);
type AnyClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;
const GrpcClient = grpc.makeGenericClientConstructor(serviceDefinition, "EchoService");
/** grpc-js checks the certificate against this name (the target is an IP). */
const nameOverride = { "grpc.ssl_target_name_override": "inventory.test", "grpc.default_authority": "inventory.test" };

function grpcJsEcho(client: AnyClient, text: string): Promise<{ error: grpc.ServiceError | null; response?: EchoResponse }> {
  return new Promise((resolve) => {
    client.echo(create(EchoRequestSchema, { text }), (error: grpc.ServiceError | null, response?: EchoResponse) => resolve({ error, response }));
  });
}

describe.each([
  ["TLS", false],
  ["mutual TLS", true],
] as const)("grpc-js client → serve() over %s", (_name, mutual) => {
  let server: Server;
  beforeAll(async () => {
    server = await serve({
      host: "127.0.0.1",
      shutdownGraceMs: 200,
      tls: mutual ? { ...pki.server, ca: pki.ca, requestCert: true } : pki.server,
      routes: (router) =>
        router.service(EchoService, {
          ...echoImpl(),
          echo: (request: EchoRequest, context: HandlerContext) => ({
            text: `${request.text} from ${context.values.get(tlsPeerKey)?.subject.CN ?? "anonymous"}`,
          }),
        }),
    });
  });
  afterAll(() => server.close());

  const clientWith = (cert: boolean): AnyClient =>
    new GrpcClient(
      `127.0.0.1:${server.port}`,
      cert ? grpc.credentials.createSsl(Buffer.from(pki.ca), Buffer.from(pki.client.key), Buffer.from(pki.client.cert)) : grpc.credentials.createSsl(Buffer.from(pki.ca)),
      nameOverride,
    ) as AnyClient;

  it("unary and server streaming succeed; the handler sees the client certificate under mTLS", async () => {
    const client = clientWith(mutual);
    try {
      const { error, response } = await grpcJsEcho(client, "hi");
      expect(error).toBeNull();
      expect(response?.text).toBe(mutual ? "hi from billing" : "hi from anonymous");
      const stream = client.serverStream(create(EchoRequestSchema, { text: "s", count: 3 })) as grpc.ClientReadableStream<EchoResponse>;
      const indexes: number[] = [];
      await new Promise<void>((resolve, reject) => {
        stream.on("data", (m: EchoResponse) => indexes.push(m.index));
        stream.on("error", reject);
        stream.on("end", resolve);
      });
      expect(indexes).toEqual([0, 1, 2]);
    } finally {
      client.close();
    }
  });

  if (mutual) {
    it("a grpc-js client without a certificate is refused: UNAVAILABLE", async () => {
      const client = clientWith(false);
      try {
        const { error } = await grpcJsEcho(client, "hi");
        expect(error?.code).toBe(grpc.status.UNAVAILABLE);
      } finally {
        client.close();
      }
    });
  }
});

describe.each([
  ["TLS", false],
  ["mutual TLS", true],
] as const)("Sluice channel → grpc-js server over %s", (_name, mutual) => {
  let server: grpc.Server;
  let port: number;
  let peers: string[];
  beforeAll(async () => {
    peers = [];
    server = new grpc.Server();
    server.addService(serviceDefinition, {
      echo(call: grpc.ServerUnaryCall<EchoRequest, EchoResponse>, callback: grpc.sendUnaryData<EchoResponse>) {
        const cert = call.getAuthContext().sslPeerCertificate;
        peers.push(cert?.subject.CN ?? "anonymous");
        callback(null, create(EchoResponseSchema, { text: call.request.text }));
      },
      serverStream(call: grpc.ServerWritableStream<EchoRequest, EchoResponse>) {
        for (let i = 0; i < call.request.count; i++) call.write(create(EchoResponseSchema, { index: i }));
        call.end();
      },
      clientStream(_call: grpc.ServerReadableStream<EchoRequest, EchoResponse>, callback: grpc.sendUnaryData<EchoResponse>) {
        callback(null, create(EchoResponseSchema, {}));
      },
      bidi(call: grpc.ServerDuplexStream<EchoRequest, EchoResponse>) {
        call.end();
      },
    });
    const credentials = grpc.ServerCredentials.createSsl(
      mutual ? Buffer.from(pki.ca) : null,
      [{ private_key: Buffer.from(pki.server.key), cert_chain: Buffer.from(pki.server.cert) }],
      mutual,
    );
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", credentials, (err, p) => (err ? reject(err) : resolve(p))),
    );
  });
  afterAll(() => server.forceShutdown());

  const call = async (implementation: TransportImplementation, tls: ChannelTlsOptions) => {
    const channel = createChannel({ target: `static:///127.0.0.1:${port}`, tls, transport: implementation });
    try {
      const client = createClient(EchoService, channel);
      const response = await client.echo({ text: "to grpc-js" });
      const indexes: number[] = [];
      for await (const m of client.serverStream({ count: 3 })) indexes.push(m.index);
      return { text: response.text, indexes };
    } finally {
      await channel.close();
    }
  };

  it.each<TransportImplementation>(["sluice", "connect-node"])("%s: unary and server streaming succeed", async (implementation) => {
    peers.length = 0;
    const tls = mutual ? { ca: pki.ca, ...pki.client } : { ca: pki.ca };
    expect(await call(implementation, tls)).toEqual({ text: "to grpc-js", indexes: [0, 1, 2] });
    expect(peers).toEqual([mutual ? "billing" : "anonymous"]);
  });

  if (mutual) {
    it.each<TransportImplementation>(["sluice", "connect-node"])("%s: without a client certificate the call fails UNAVAILABLE", async (implementation) => {
      const error = ConnectError.from(await call(implementation, { ca: pki.ca }).catch((e: unknown) => e));
      expect(error.code).toBe(Code.Unavailable);
      expect(error.rawMessage).toMatch(/TLS connection to 127\.0\.0\.1:\d+/);
    });
  }
});
