import { Code, ConnectError } from "@connectrpc/connect";
import { waitWithin } from "./caller-wait.js";

describe("waitWithin", () => {
  const never = () => new Promise<string>(() => {});

  it("passes the awaited outcome through when neither signal nor deadline ends the wait first", async () => {
    await expect(waitWithin(Promise.resolve("ok"), new AbortController().signal, 1000)).resolves.toBe("ok");
    await expect(waitWithin(Promise.reject(new Error("boom")), undefined, 1000)).rejects.toThrow("boom");
  });

  it("ends with the caller's CANCELED when its signal aborts, leaving the awaited promise alone", async () => {
    const caller = new AbortController();
    const wait = waitWithin(never(), caller.signal, undefined);
    caller.abort();
    await expect(wait).rejects.toMatchObject({ code: Code.Canceled });
    const aborted = new AbortController();
    aborted.abort(new ConnectError("gone", Code.Unavailable));
    await expect(waitWithin(never(), aborted.signal, undefined)).rejects.toMatchObject({ code: Code.Unavailable });
  });

  it("ends with DEADLINE_EXCEEDED once the timeout passes", async () => {
    const started = performance.now();
    await expect(waitWithin(never(), undefined, 30)).rejects.toMatchObject({ code: Code.DeadlineExceeded });
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it("leaves no listener on the caller's signal once the wait is over", async () => {
    const caller = new AbortController();
    let listeners = 0;
    const add = caller.signal.addEventListener.bind(caller.signal);
    const remove = caller.signal.removeEventListener.bind(caller.signal);
    caller.signal.addEventListener = ((...args: Parameters<typeof add>) => (listeners++, add(...args))) as typeof add;
    caller.signal.removeEventListener = ((...args: Parameters<typeof remove>) => (listeners--, remove(...args))) as typeof remove;
    await waitWithin(Promise.resolve(1), caller.signal, 1000);
    await waitWithin(Promise.resolve(2), caller.signal, undefined);
    expect(listeners).toBe(0);
  });
});
