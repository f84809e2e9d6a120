import { createTokenCredentials, type ExpiringToken } from "./token-credentials.js";
import type { CallCredentialsContext } from "./call-credentials.js";

const call = {} as CallCredentialsContext;

/** A token source handing out tok-1, tok-2, … each valid for `ttlMs` from the clock's time of fetch. */
function source(clock: { now: number }, ttlMs: number) {
  const fetched: string[] = [];
  let fail = false;
  return {
    fetched,
    failNext: () => (fail = true),
    fetchToken: async (): Promise<ExpiringToken> => {
      if (fail) {
        fail = false;
        throw new Error("token endpoint down");
      }
      const token = `tok-${fetched.length + 1}`;
      fetched.push(token);
      return { token, expiresAtMs: clock.now + ttlMs };
    },
  };
}

describe("createTokenCredentials", () => {
  it("fetches once and reuses the token while it is far from expiry", async () => {
    const clock = { now: 0 };
    const s = source(clock, 10_000);
    const credentials = createTokenCredentials({ fetchToken: s.fetchToken, refreshBeforeMs: 1_000, now: () => clock.now });
    expect(await credentials(call)).toEqual({ authorization: "Bearer tok-1" });
    clock.now = 8_999;
    expect(await credentials(call)).toEqual({ authorization: "Bearer tok-1" });
    expect(s.fetched).toEqual(["tok-1"]);
  });

  it("refreshes in the background within refreshBeforeMs of expiry, keeping the valid token meanwhile", async () => {
    const clock = { now: 0 };
    const s = source(clock, 10_000);
    const credentials = createTokenCredentials({ fetchToken: s.fetchToken, refreshBeforeMs: 1_000, now: () => clock.now });
    await credentials(call);
    clock.now = 9_500;
    expect(await credentials(call)).toEqual({ authorization: "Bearer tok-1" });
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    expect(s.fetched).toEqual(["tok-1", "tok-2"]);
    expect(await credentials(call)).toEqual({ authorization: "Bearer tok-2" });
  });

  it("waits for a new token once the current one has expired, and fetches it once for concurrent calls", async () => {
    const clock = { now: 0 };
    const s = source(clock, 10_000);
    const credentials = createTokenCredentials({ fetchToken: s.fetchToken, now: () => clock.now });
    await credentials(call);
    clock.now = 10_000;
    const results = await Promise.all([credentials(call), credentials(call), credentials(call)]);
    expect(results).toEqual(Array(3).fill({ authorization: "Bearer tok-2" }));
    expect(s.fetched).toEqual(["tok-1", "tok-2"]);
  });

  it("fails while there is no valid token and the fetch fails; the next call fetches again", async () => {
    const clock = { now: 0 };
    const s = source(clock, 10_000);
    const credentials = createTokenCredentials({ fetchToken: s.fetchToken, now: () => clock.now });
    s.failNext();
    await expect(credentials(call)).rejects.toThrow("token endpoint down");
    expect(await credentials(call)).toEqual({ authorization: "Bearer tok-1" });
  });

  it("uses the header and prefix given", async () => {
    const credentials = createTokenCredentials({ fetchToken: () => ({ token: "k", expiresAtMs: Infinity }), header: "x-api-key", prefix: "" });
    expect(await credentials(call)).toEqual({ "x-api-key": "k" });
  });

  it("rejects bad options naming the field", () => {
    expect(() => createTokenCredentials({ fetchToken: undefined as never })).toThrow(/^fetchToken:/);
    expect(() => createTokenCredentials({ fetchToken: () => ({ token: "", expiresAtMs: 0 }), refreshBeforeMs: -1 })).toThrow(/^refreshBeforeMs:/);
  });
});
