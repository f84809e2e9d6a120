// Parses channel targets in gRPC naming form (`scheme://authority/endpoint`): the generic split
// that the resolver registry dispatches on, and the `static`, `dns`, `etcd` and `registry` syntax.

/** Forms of target the built-in resolvers accept, for error messages. */
export const acceptedTargetForms: readonly string[] = [
  "static:///host:port,host:port (IPv4, [IPv6]:port or hostname)",
  "dns:///name:port",
  "dns://dns-server-ip[:port]/name:port",
  "dns:///_service._tcp.name (SRV)",
  "host:port (same as dns:///host:port)",
  "etcd:///service (etcd endpoints from the channel's etcd options, default 127.0.0.1:2379)",
  "etcd://host:port,host:port/service",
  "registry:///service (the embedded in-process registry)",
];

/** A target split into its URI parts, before any scheme-specific parsing. */
export interface TargetUri {
  /** The target string as given. */
  readonly raw: string;
  /** Lower-case scheme; `dns` for a bare `host:port`. */
  readonly scheme: string;
  /** Text between `//` and the next `/` (empty when absent). */
  readonly authority: string;
  /** Text after the authority's `/` (or after `scheme:` when there is no `//`). */
  readonly endpoint: string;
}

/** A host (IPv6 without brackets) and a port. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** A parsed `static:///…` target: a fixed list of addresses. */
export interface StaticTarget {
  readonly scheme: "static";
  readonly addresses: readonly HostPort[];
}

/** A parsed `dns:…` target (or bare `host:port`). */
export interface DnsTarget {
  readonly scheme: "dns";
  /** Name to resolve (for SRV the full `_service._proto.name`). */
  readonly host: string;
  /** Port for A/AAAA results; `undefined` for SRV targets, whose records carry the port. */
  readonly port: number | undefined;
  /** Whether the name is an SRV name (`_service._tcp.name` / `_service._udp.name`). */
  readonly srv: boolean;
  /** DNS server to ask, from the target's authority (`undefined`: the system's servers). */
  readonly dnsServer: HostPort | undefined;
}

/** A parsed `etcd:` target: the service whose `service/` key prefix is watched. */
export interface EtcdTarget {
  readonly scheme: "etcd";
  /** etcd endpoints from the target's authority; `undefined` when it has none (`etcd:///service`). */
  readonly endpoints: readonly HostPort[] | undefined;
  /** Service name, the key prefix without its trailing `/` (may contain `/`, e.g. `prod/inventory`). */
  readonly service: string;
}

/** A parsed `registry:///service` target (the embedded in-process registry). */
export interface RegistryTarget {
  readonly scheme: "registry";
  readonly service: string;
}

const schemePattern = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s;
const ipv4Pattern = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const ipv6Pattern = /^[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?$/;
const labelPattern = /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/** Thrown for a target that cannot be parsed; the message names the target and accepted forms. */
export class TargetError extends Error {
  constructor(target: string, problem: string) {
    super(
      `invalid channel target "${target}": ${problem}; accepted forms: ${acceptedTargetForms.join(", ")}`,
    );
    this.name = "TargetError";
  }
}

/**
 * Splits a target into scheme, authority and endpoint. A target without a scheme (`host:port`,
 * `[::1]:8080`) is taken as `dns:///host:port`, as gRPC does.
 */
export function parseTargetUri(target: string): TargetUri {
  const trimmed = target.trim();
  if (trimmed === "") {
    throw new TargetError(target, "the target is empty");
  }
  const m = schemePattern.exec(trimmed);
  // `localhost:8080` matches the scheme pattern too: a scheme followed by a port-only rest is a
  // bare host:port.
  if (m === null || /^\d+$/.test(m[2])) {
    return { raw: target, scheme: "dns", authority: "", endpoint: trimmed };
  }
  const scheme = m[1].toLowerCase();
  const rest = m[2];
  if (!rest.startsWith("//")) {
    return { raw: target, scheme, authority: "", endpoint: rest };
  }
  const slash = rest.indexOf("/", 2);
  if (slash < 0) {
    throw new TargetError(target, `missing "/" after the authority of the ${scheme} target`);
  }
  return { raw: target, scheme, authority: rest.slice(2, slash), endpoint: rest.slice(slash + 1) };
}

/** Whether `host` is an IPv4 or IPv6 literal (IPv6 without brackets). */
export function isIpAddress(host: string): boolean {
  return ipv4Pattern.test(host) || (host.includes(":") && ipv6Pattern.test(host));
}

/** Formats `host:port`, bracketing IPv6 hosts; the form used for `Endpoint.address`. */
export function formatAddress(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Parses `host:port`, `[v6]:port` or (when `defaultPort` is given) a host alone. Throws a
 * `TargetError` naming `target` when the text is not a valid address.
 */
export function parseHostPort(text: string, target: string, defaultPort?: number): HostPort {
  let host: string;
  let portText: string | undefined;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) {
      throw new TargetError(target, `unclosed "[" in "${text}"`);
    }
    host = text.slice(1, close);
    const after = text.slice(close + 1);
    if (after !== "" && !after.startsWith(":")) {
      throw new TargetError(target, `unexpected "${after}" after "]" in "${text}"`);
    }
    portText = after === "" ? undefined : after.slice(1);
    if (!host.includes(":") || !ipv6Pattern.test(host)) {
      throw new TargetError(target, `"${host}" in brackets is not an IPv6 address`);
    }
  } else {
    const colons = text.split(":").length - 1;
    if (colons > 1) {
      throw new TargetError(target, `IPv6 address "${text}" must be written in brackets: [addr]:port`);
    }
    const colon = text.indexOf(":");
    host = colon < 0 ? text : text.slice(0, colon);
    portText = colon < 0 ? undefined : text.slice(colon + 1);
    if (!isIpAddress(host) && !isHostname(host)) {
      throw new TargetError(target, `"${host}" is not a valid IP address or hostname`);
    }
  }
  if (portText === undefined) {
    if (defaultPort === undefined) {
      throw new TargetError(target, `"${text}" has no port`);
    }
    return { host, port: defaultPort };
  }
  return { host, port: parsePort(portText, text, target) };
}

/** Parses a `static:///a:1,b:2` target. */
export function parseStaticTarget(uri: TargetUri): StaticTarget {
  if (uri.scheme !== "static") {
    throw new TargetError(uri.raw, `expected the static scheme, got "${uri.scheme}"`);
  }
  if (uri.authority !== "") {
    throw new TargetError(uri.raw, `static targets take no authority (use static:///host:port)`);
  }
  const parts = uri.endpoint.split(",").map((p) => p.trim());
  if (parts.length === 1 && parts[0] === "") {
    throw new TargetError(uri.raw, "the static target lists no addresses");
  }
  const addresses = parts.map((p) => {
    if (p === "") {
      throw new TargetError(uri.raw, "empty address in the static list");
    }
    return parseHostPort(p, uri.raw);
  });
  return { scheme: "static", addresses };
}

/**
 * Parses a `dns:` target. `srv` overrides the automatic detection of SRV names
 * (`_service._tcp.name`); the authority, if any, names the DNS server (port 53 by default).
 */
export function parseDnsTarget(uri: TargetUri, srv?: boolean): DnsTarget {
  if (uri.scheme !== "dns") {
    throw new TargetError(uri.raw, `expected the dns scheme, got "${uri.scheme}"`);
  }
  let dnsServer: HostPort | undefined;
  if (uri.authority !== "") {
    dnsServer = parseHostPort(uri.authority, uri.raw, 53);
    if (!isIpAddress(dnsServer.host)) {
      throw new TargetError(uri.raw, `the DNS server "${uri.authority}" must be an IP address`);
    }
  }
  if (uri.endpoint === "") {
    throw new TargetError(uri.raw, "the dns target names no host");
  }
  const detectedSrv = /^_[^.]+\._(tcp|udp)\./i.test(uri.endpoint);
  const isSrv = srv ?? detectedSrv;
  if (isSrv) {
    if (uri.endpoint.includes(":") || !isHostname(uri.endpoint)) {
      throw new TargetError(uri.raw, `the SRV name "${uri.endpoint}" must be a DNS name without a port`);
    }
    return { scheme: "dns", host: uri.endpoint, port: undefined, srv: true, dnsServer };
  }
  const { host, port } = parseHostPort(uri.endpoint, uri.raw);
  return { scheme: "dns", host, port, srv: false, dnsServer };
}

/**
 * Whether `name` can name a discovered service: non-empty, no leading or trailing `/`, no
 * whitespace (`prod/inventory` is fine).
 */
export function isServiceName(name: string): boolean {
  return name !== "" && !name.startsWith("/") && !name.endsWith("/") && !/\s/.test(name);
}

/** Parses `etcd:///service` or `etcd://host:port,host:port/service`. */
export function parseEtcdTarget(uri: TargetUri): EtcdTarget {
  if (uri.scheme !== "etcd") {
    throw new TargetError(uri.raw, `expected the etcd scheme, got "${uri.scheme}"`);
  }
  if (!isServiceName(uri.endpoint)) {
    throw new TargetError(uri.raw, `"${uri.endpoint}" is not a service name (non-empty, no leading or trailing "/", no spaces)`);
  }
  if (uri.authority === "") {
    return { scheme: "etcd", endpoints: undefined, service: uri.endpoint };
  }
  const endpoints = uri.authority.split(",").map((part) => {
    if (part.trim() === "") {
      throw new TargetError(uri.raw, "empty etcd endpoint in the authority");
    }
    return parseHostPort(part.trim(), uri.raw);
  });
  return { scheme: "etcd", endpoints, service: uri.endpoint };
}

/** Parses `registry:///service`. */
export function parseRegistryTarget(uri: TargetUri): RegistryTarget {
  if (uri.scheme !== "registry") {
    throw new TargetError(uri.raw, `expected the registry scheme, got "${uri.scheme}"`);
  }
  if (uri.authority !== "") {
    throw new TargetError(uri.raw, "registry targets take no authority (use registry:///service)");
  }
  if (!isServiceName(uri.endpoint)) {
    throw new TargetError(uri.raw, `"${uri.endpoint}" is not a service name (non-empty, no leading or trailing "/", no spaces)`);
  }
  return { scheme: "registry", service: uri.endpoint };
}

function isHostname(host: string): boolean {
  const name = host.endsWith(".") ? host.slice(0, -1) : host;
  if (name === "" || name.length > 253 || /^[\d.]+$/.test(name)) {
    return false;
  }
  return name.split(".").every((label) => labelPattern.test(label));
}

function parsePort(portText: string, text: string, target: string): number {
  if (!/^\d{1,5}$/.test(portText)) {
    throw new TargetError(target, `port "${portText}" in "${text}" is not a number`);
  }
  const port = Number(portText);
  if (port < 1 || port > 65535) {
    throw new TargetError(target, `port ${port} in "${text}" is outside 1-65535`);
  }
  return port;
}
