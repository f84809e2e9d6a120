// Mutual TLS end to end: serve({ tls: { requestCert, ca } }) accepts a client with a certificate
// from its CA and refuses, at the handshake, one without a certificate, one from another CA and an
// expired one; the verified peer (subject, SANs, fingerprint) reaches handlers on both server paths.
import { X509Certificate } from "node:crypto";
import { Code, ConnectError, createClient, type HandlerContext } from "@connectrpc/connect";
import { createChannel, serve, tlsPeerKey, type ChannelTlsOptions, type Server, type TransportImplementation } from "@sluice/runtime";
import { EchoService, type EchoRequest } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { echoImpl, type EchoLog } from "../fast-path/echo-service.js";
import { testPki } from "../support/certificates.js";

const pki = testPki();

/** What the handler saw of its peer, as text. */
function describePeer(context: HandlerContext): string {
  const peer = context.values.get(tlsPeerKey);
  return peer === undefined ? "none" : JSON.stringify({ cn: peer.subject.CN, sans: peer.subjectAltNames, fp: peer.fingerprint256, ok: peer.authorized });
}

describe.each<"sluice" | "connect-node">(["sluice", "connect-node"])("mutual TLS, %s server", (serverTransport) => {
  let server: Server;
  let log: EchoLog;
  let sessions = 0;
  beforeAll(async () => {
    log = { calls: [], aborted: [] };
    const impl = echoImpl(log);
    server = await serve({
      host: "127.0.0.1",
      shutdownGraceMs: 200,
      transport: serverTransport,
      tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.ca, requestCert: true },
      routes: (router) =>
        router.service(EchoService, {
          ...impl,
          echo: (request: EchoRequest, context: HandlerContext) => {
            log.calls.push("echo");
            return { text: describePeer(context) };
          },
          async *serverStream(_request: EchoRequest, context: HandlerContext) {
            yield { text: describePeer(context) };
          },
        }),
    });
    server.http2Server.on("session", () => sessions++);
  });
  afterAll(() => server.close());

  const call = async (tls: ChannelTlsOptions, implementation: TransportImplementation = "sluice") => {
    const channel = createChannel({ target: `static:///127.0.0.1:${server.port}`, tls, transport: implementation });
    try {
      return await createClient(EchoService, channel).echo({ text: "who" });
    } finally {
      await channel.close();
    }
  };

  it.each<TransportImplementation>(["sluice", "connect-node"])(
    "accepts a %s client with a certificate from the CA, and the handler reads its subject, SANs and fingerprint",
    async (implementation) => {
      const response = await call({ ca: pki.ca, cert: pki.client.cert, key: pki.client.key }, implementation);
      const fingerprint = new X509Certificate(pki.client.cert).fingerprint256;
      expect(JSON.parse(response.text)).toEqual({
        cn: "billing",
        sans: ["URI:spiffe://sluice.test/billing", "DNS:billing.test"],
        fp: fingerprint,
        ok: true,
      });
    },
  );

  it("the peer reaches a server-streaming handler too", async () => {
    const channel = createChannel({ target: `static:///127.0.0.1:${server.port}`, tls: { ca: pki.ca, cert: pki.client.cert, key: pki.client.key } });
    try {
      const texts: string[] = [];
      for await (const r of createClient(EchoService, channel).serverStream({ text: "s" })) texts.push(r.text);
      expect(JSON.parse(texts[0] ?? "{}").cn).toBe("billing");
    } finally {
      await channel.close();
    }
  });

  const refused = [
    ["no certificate", {}],
    ["a certificate from another CA", { cert: pki.strangerClient.cert, key: pki.strangerClient.key }],
    ["an expired certificate", { cert: pki.expiredClient.cert, key: pki.expiredClient.key }],
  ] as const;
  it.each(refused.flatMap(([what, cert]) => (["sluice", "connect-node"] as const).map((impl) => [what, impl, cert] as const)))(
    "refuses a client with %s (%s) at the handshake: UNAVAILABLE naming the certificate, no HTTP/2 session, no handler",
    async (_what, implementation, clientCert) => {
      log.calls.length = 0;
      const sessionsBefore = sessions;
      const error = ConnectError.from(await call({ ca: pki.ca, ...clientCert }, implementation).catch((e: unknown) => e));
      expect(error.code).toBe(Code.Unavailable);
      expect(error.rawMessage).toMatch(/TLS connection to 127\.0\.0\.1:\d+ as "127\.0\.0\.1" failed: .*certificate/i);
      expect(sessions).toBe(sessionsBefore);
      expect(log.calls).toEqual([]);
    },
  );
});
