import { defineLazyStreamHeader, rawStreamHeaderValue, withStreamMessages } from "./lazy-stream-header.js";

import type { IncomingHttpHeaders } from "node:http2";

/** Node's response headers as a client receives them (`:status` is a number there). */
const raw = { ":status": 200, "content-type": "application/grpc+proto", "x-many": ["a", "b"] } as unknown as IncomingHttpHeaders;

describe("defineLazyStreamHeader", () => {
  it("builds the Headers on first read only, without pseudo-headers, and keeps them", () => {
    const response = defineLazyStreamHeader({ stream: true }, { ...raw });
    const descriptor = Object.getOwnPropertyDescriptor(response, "header");
    expect(descriptor?.get).toBeDefined();
    expect(descriptor?.enumerable).toBe(true);
    const header = response.header;
    expect([...header]).toEqual([
      ["content-type", "application/grpc+proto"],
      ["x-many", "a, b"],
    ]);
    expect(response.header).toBe(header);
  });

  it("answers single values from the raw headers as Headers.get would, and undefined for other responses", () => {
    const response = defineLazyStreamHeader({}, { ...raw });
    expect(rawStreamHeaderValue(response, "content-type")).toBe("application/grpc+proto");
    expect(rawStreamHeaderValue(response, "x-many")).toBe("a, b");
    expect(rawStreamHeaderValue(response, "missing")).toBeNull();
    expect(rawStreamHeaderValue(response, ":status")).toBeNull();
    expect(rawStreamHeaderValue({ header: new Headers() }, "content-type")).toBeUndefined();
    // Once built, the Headers answer (the same values).
    response.header.set("content-type", "changed");
    expect(rawStreamHeaderValue(response, "content-type")).toBe("changed");
  });
});

describe("withStreamMessages", () => {
  const fields = () => ({ stream: true as const, service: "s", method: "m", trailer: new Headers(), message: "old" as unknown });

  it("replaces the message and keeps a lazy header lazy and shared, where a spread reads it", () => {
    const response = defineLazyStreamHeader(fields(), { ...raw });
    const copy = withStreamMessages(response, "new");
    expect(copy.message).toBe("new");
    expect(response.message).toBe("old");
    expect([copy.stream, copy.service, copy.method, copy.trailer]).toEqual([true, "s", "m", response.trailer]);
    expect(Object.getOwnPropertyDescriptor(copy, "header")?.get).toBeDefined();
    expect(rawStreamHeaderValue(copy, "content-type")).toBe("application/grpc+proto");
    expect(copy.header).toBe(response.header);
    expect(Object.getOwnPropertyDescriptor({ ...response }, "header")?.get).toBeUndefined();
  });

  it("copies any other response as a spread does", () => {
    const other = { ...fields(), header: new Headers({ a: "1" }), extra: 1 };
    const copy = withStreamMessages(other, "new");
    expect(copy).toEqual({ ...other, message: "new" });
  });
});
