import { createServer } from "node:net";
import { registerWithEtcd } from "./etcd-registration.js";

// Registration against a real etcd is in test/resolver/etcd-discovery.spec.ts; here: configuration
// and giving up when etcd cannot be reached.
describe("registerWithEtcd", () => {
  const server = { host: "127.0.0.1", port: 8081 };

  it("rejects bad options naming the field", async () => {
    await expect(registerWithEtcd(server, { service: "inv/" })).rejects.toThrow(/^etcd\.service:/);
    await expect(registerWithEtcd({ host: "::", port: 1 }, { service: "inv" })).rejects.toThrow(/^etcd\.address: the server listens on "::"/);
    await expect(registerWithEtcd(server, { service: "inv", address: "nope" })).rejects.toThrow(/^etcd\.address: must be "host:port"/);
    await expect(registerWithEtcd(server, { service: "inv", weight: Number.NaN })).rejects.toThrow(/^etcd\.weight:/);
    await expect(registerWithEtcd(server, { service: "inv", ttlSeconds: 1.5 })).rejects.toThrow(/^etcd\.ttlSeconds: must be an integer/);
    await expect(registerWithEtcd(server, { service: "inv", startTimeoutMs: 0 })).rejects.toThrow(/^etcd\.startTimeoutMs:/);
    await expect(registerWithEtcd(server, { service: "inv", endpoints: ["a:1", 2 as never] })).rejects.toThrow(/^etcd\.endpoints: each endpoint/);
  });

  it("gives up after startTimeoutMs when etcd is unreachable", async () => {
    // A loopback port with nothing listening: connections are refused at once.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", () => resolve()));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const started = Date.now();
    await expect(
      registerWithEtcd(server, { service: "inv", endpoints: [`127.0.0.1:${port}`], startTimeoutMs: 600 }),
    ).rejects.toThrow(new RegExp(`could not register "inv/127.0.0.1:8081" in etcd at 127.0.0.1:${port} within 600 ms`));
    expect(Date.now() - started).toBeGreaterThanOrEqual(590);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
