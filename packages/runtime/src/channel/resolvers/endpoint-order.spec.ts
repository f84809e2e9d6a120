import type { Endpoint } from "../resolver.js";
import { createSeededRandom, scriptedRandom } from "../pickers/testing.js";
import { createEndpointOrder } from "./endpoint-order.js";

const ep = (address: string, weight?: number): Endpoint => (weight === undefined ? { address } : { address, weight });
const addresses = (list: readonly Endpoint[]): string => list.map((e) => e.address[0]).join("");

describe("createEndpointOrder", () => {
  it("orders by each address's draw, highest first", () => {
    const order = createEndpointOrder(scriptedRandom(0.2, 0.9, 0.5));
    expect(addresses(order.order([ep("a:1"), ep("b:1"), ep("c:1")]))).toBe("bca");
  });

  it("keeps an unchanged set's order without drawing again, draws once for a new address and forgets removed ones", () => {
    const random = jest.fn(scriptedRandom(0.2, 0.9, 0.5, 0.7, 0.95));
    const order = createEndpointOrder(random);
    order.order([ep("a:1"), ep("b:1"), ep("c:1")]);
    expect(addresses(order.order([ep("c:1"), ep("a:1"), ep("b:1")]))).toBe("bca");
    expect(random).toHaveBeenCalledTimes(3);
    expect(addresses(order.order([ep("a:1"), ep("b:1"), ep("c:1"), ep("d:1")]))).toBe("bdca");
    expect(random).toHaveBeenCalledTimes(4);
    expect(addresses(order.order([ep("a:1"), ep("c:1")]))).toBe("ca");
    // b was forgotten: back in the list, it draws again (0.95) and now comes first.
    expect(addresses(order.order([ep("a:1"), ep("b:1"), ep("c:1")]))).toBe("bca");
    expect(random).toHaveBeenCalledTimes(5);
  });

  it("falls back to address order on ties (a constant random source)", () => {
    expect(addresses(createEndpointOrder(() => 0.5).order([ep("c:1"), ep("a:1"), ep("b:1")]))).toBe("abc");
    expect(addresses(createEndpointOrder(() => 0).order([ep("c:1"), ep("a:1"), ep("b:1")]))).toBe("abc");
  });

  it("gives every address an equal share of first places across channels (pick-first spreads)", () => {
    const random = createSeededRandom(7);
    const first = new Map<string, number>();
    const channels = 8000;
    for (let i = 0; i < channels; i++) {
      const head = createEndpointOrder(random).order([ep("a:1"), ep("b:1"), ep("c:1"), ep("d:1")])[0]?.address ?? "";
      first.set(head, (first.get(head) ?? 0) + 1);
    }
    for (const address of ["a:1", "b:1", "c:1", "d:1"]) {
      expect(Math.abs((first.get(address) ?? 0) / channels - 0.25)).toBeLessThan(0.02);
    }
  });

  it("orders by weight as RFC 2782 does: first place in proportion to weight, then among the rest", () => {
    const random = createSeededRandom(11);
    const counts = new Map<string, number>();
    const trials = 20_000;
    for (let i = 0; i < trials; i++) {
      const key = addresses(createEndpointOrder(random).order([ep("a:1", 6), ep("b:1", 3), ep("c:1", 1)]));
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const share = (key: string): number => (counts.get(key) ?? 0) / trials;
    // P(abc) = 6/10 · 3/4, P(acb) = 6/10 · 1/4, P(bac) = 3/10 · 6/7, P(cab) = 1/10 · 6/9.
    expect(Math.abs(share("abc") - 0.45)).toBeLessThan(0.015);
    expect(Math.abs(share("acb") - 0.15)).toBeLessThan(0.015);
    expect(Math.abs(share("bac") - (0.3 * 6) / 7)).toBeLessThan(0.015);
    expect(Math.abs(share("cab") - 0.1 * (6 / 9))).toBeLessThan(0.015);
  });
});
