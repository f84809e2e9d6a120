// Which contenders run together share a process pair (Contender.pairOf), and a contender's phases
// with its own call arguments added (what tells two contenders of one pair apart).
import { isDeepStrictEqual } from "node:util";
import type { Contender, LoadPhase } from "./scenario.js";

/**
 * For each of `contenders` (run together), the id of the contender whose process pair it runs in:
 * its `pairOf` when that one is among them, itself otherwise. Throws when a guest's processes would
 * not be its own (server or client spec, or server process count, other than the host's), or when
 * its host is itself a guest.
 */
export function pairHosts(contenders: readonly Contender[]): ReadonlyMap<string, string> {
  const byId = new Map(contenders.map((c) => [c.id, c]));
  const hosts = new Map<string, string>();
  for (const contender of contenders) {
    const host = contender.pairOf === undefined ? undefined : byId.get(contender.pairOf);
    if (host === undefined || host === contender) {
      hosts.set(contender.id, contender.id);
      continue;
    }
    if (host.pairOf !== undefined && byId.has(host.pairOf)) {
      throw new Error(`(${contender.id}) runs in (${host.id})'s process pair, which runs in (${host.pairOf})'s: name the pair's owner`);
    }
    const same =
      isDeepStrictEqual(host.server, contender.server) &&
      isDeepStrictEqual(host.client, contender.client) &&
      (host.serverProcesses ?? 1) === (contender.serverProcesses ?? 1);
    if (!same) {
      throw new Error(`(${contender.id}) runs in (${host.id})'s process pair but names other processes; tell its phases apart with callArgs`);
    }
    hosts.set(contender.id, host.id);
  }
  return hosts;
}

/** `phase` as `contender` runs it: the contender's call arguments added over the phase's own. */
export function phaseFor(contender: Contender, phase: LoadPhase): LoadPhase {
  return contender.callArgs === undefined ? phase : { ...phase, callArgs: { ...phase.callArgs, ...contender.callArgs } };
}
