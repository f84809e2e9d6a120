// Rolling restart with discovery: three servers registered in the embedded registry (and in a real
// etcd when `etcd` is installed) are shut down gracefully one after another — registration revoked,
// GOAWAY, grace period — and replaced by new instances on new ports while 16 callers run idempotent
// (retried) and non-idempotent calls: no call may fail.
import { ConnectError } from "@connectrpc/connect";
import {
  createChannel,
  createMemoryRegistry,
  createPolicyClient,
  registerWithEtcd,
  type Channel,
  type PolicyTable,
  type RetryPolicy,
  type ServiceRegistration,
} from "@sluice/runtime";
import { Code } from "@connectrpc/connect";
import { EchoService } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { restartBackend, startBackends, type Backend } from "./backends.js";
import { findEtcd, startEtcd, type EtcdServer } from "../resolver/etcd-server.js";
import { eventually } from "../support/inventory.js";

const retry: RetryPolicy = { maxAttempts: 3, initialBackoffMs: 10, maxBackoffMs: 50, backoffMultiplier: 2, retryableCodes: [Code.Unavailable] };
const idempotent = { echo: { idempotency: "idempotent", retry } } as unknown as PolicyTable<typeof EchoService>;
const unknown = {} as PolicyTable<typeof EchoService>;

interface Discovery {
  readonly channel: Channel;
  register(backend: Backend): Promise<ServiceRegistration>;
  close(): Promise<void>;
}

async function rollingRestart(discovery: Discovery, backends: Backend[]): Promise<void> {
  const { channel } = discovery;
  for (const b of backends) b.server.own(await discovery.register(b));
  await eventually(() => channel.stats().endpoints.filter((e) => e.state === "ready").length === 3, 10_000, "three ready endpoints");
  const clients = [createPolicyClient(EchoService, channel, idempotent), createPolicyClient(EchoService, channel, unknown)];
  const failures: string[] = [];
  const done = [0, 0];
  let duringShutdowns = 0;
  let running = true;
  const caller = async (i: number): Promise<void> => {
    while (running) {
      const kind = i % 2;
      try {
        await clients[kind].echo({ text: "r", delayMs: 5 }, { timeoutMs: 5000 });
        done[kind]++;
      } catch (error) {
        failures.push(`${kind === 0 ? "idempotent" : "non-idempotent"}: ${ConnectError.from(error).message}`);
      }
    }
  };
  const callers = Array.from({ length: 16 }, (_, i) => caller(i));
  try {
    await new Promise((r) => setTimeout(r, 500));
    for (const backend of backends) {
      const before = done[0] + done[1];
      await backend.server.shutdown({ graceMs: 2000 });
      duringShutdowns += done[0] + done[1] - before;
      await restartBackend(backend, 0);
      backend.server.own(await discovery.register(backend));
      await eventually(
        () => channel.stats().endpoints.some((e) => e.address === `127.0.0.1:${backend.server.port}` && e.state === "ready"),
        10_000,
        "the new instance is ready",
      );
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    running = false;
    await Promise.all(callers);
  }
  expect(failures).toEqual([]);
  // Calls ran all along, also while servers shut down (the shared machine makes counts vary).
  expect(done[0]).toBeGreaterThan(20);
  expect(done[1]).toBeGreaterThan(20);
  expect(duringShutdowns).toBeGreaterThan(0);
}

describe("rolling restart under load with discovery", () => {
  let backends: Backend[] = [];
  afterEach(async () => {
    await Promise.all(backends.map((b) => b.server.shutdown({ graceMs: 100 })));
  });

  it("fails no call, idempotent or not, with the embedded registry", async () => {
    backends = await startBackends(3);
    const registry = createMemoryRegistry();
    const channel = createChannel({ target: "registry:///echo-rolling", registry, backoff: { initialMs: 50, maxMs: 200 } });
    const discovery: Discovery = {
      channel,
      register: async (b) => registry.register(b.server, { service: "echo-rolling" }),
      close: () => channel.close(500),
    };
    try {
      await rollingRestart(discovery, backends);
    } finally {
      await discovery.close();
    }
  }, 60_000);

  const bin = findEtcd();
  (bin === undefined ? it.skip : it)("fails no call, idempotent or not, with a real etcd", async () => {
    const etcd: EtcdServer = await startEtcd(bin!);
    backends = await startBackends(3);
    const channel = createChannel({ target: `etcd://${etcd.endpoint}/echo-rolling`, backoff: { initialMs: 50, maxMs: 200 } });
    const discovery: Discovery = {
      channel,
      register: (b) => registerWithEtcd(b.server, { endpoints: [etcd.endpoint], service: "echo-rolling", ttlSeconds: 5 }),
      close: () => channel.close(500),
    };
    try {
      await rollingRestart(discovery, backends);
    } finally {
      await discovery.close();
      await Promise.all(backends.map((b) => b.server.shutdown({ graceMs: 100 })));
      await etcd.stop();
    }
  }, 90_000);
});
