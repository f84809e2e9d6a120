import { classifyPreface } from "./preface-sniffer.js";

const bytes = (text: string): Buffer => Buffer.from(text, "latin1");

describe("classifyPreface", () => {
  it("the full HTTP/2 preface, alone or followed by frames, is h2", () => {
    expect(classifyPreface(bytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"))).toBe("h2");
    expect(classifyPreface(Buffer.concat([bytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), Buffer.from([0, 0, 0, 4])]))).toBe("h2");
  });

  it("an HTTP/1.1 request line is http1, even when it starts like the preface", () => {
    expect(classifyPreface(bytes("POST /svc/Method HTTP/1.1\r\n"))).toBe("http1");
    expect(classifyPreface(bytes("GET / HTTP/1.1\r\n"))).toBe("http1");
    expect(classifyPreface(bytes("PRI / HTTP/1.1\r\n"))).toBe("http1");
  });

  it("a prefix of the preface (or nothing) is undecided", () => {
    expect(classifyPreface(bytes(""))).toBe("undecided");
    expect(classifyPreface(bytes("P"))).toBe("undecided");
    expect(classifyPreface(bytes("PRI * HTTP/2.0\r\n"))).toBe("undecided");
  });
});
