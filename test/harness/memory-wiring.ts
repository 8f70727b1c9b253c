/**
 * The command line's wiring over in-memory servers (memory-server.ts): the plan's hosts name
 * servers of one JSON file, so `runCli` runs every command (lock, log, reporters, Ctrl-C
 * included) against servers a test seeded, armed with faults, and reads back afterwards.
 */
import type { Logins } from '../../src/auth/logins.js';
import type { CliWiring } from '../../src/cli/wiring.js';
import { accountById, endpoints } from '../../src/cli/endpoints.js';
import type { AccountConnectors, ReaderConnectors } from '../../src/core/ports.js';
import type { Plan, PlanAccount } from '../../src/plan/load-plan.js';
import { MemoryNetwork } from './memory-server.js';
import {
  connectMemoryAppender,
  connectMemoryBodyReader,
  connectMemoryDestination,
  connectMemoryReader,
} from './memory-stores.js';

/**
 * Connectors of a run's accounts over the memory servers the plan's hosts name; secrets come
 * through the run's credentials as in production (memory servers accept only passwords).
 */
export function memoryConnectors(
  net: MemoryNetwork,
  plan: Plan,
  logins: Logins,
): (accountId: string) => AccountConnectors {
  return (id) => {
    const e = endpoints(plan, accountById(plan, id), logins);
    return {
      source: () => connectMemoryReader(net, e.source),
      destination: () => connectMemoryDestination(net, e.destination),
      appender: () => connectMemoryAppender(net, e.destination),
      bodies: () => connectMemoryBodyReader(net, e.source),
    };
  };
}

/** Read-only connectors (plan, report, verify) over the memory servers. */
export function memoryReaders(
  net: MemoryNetwork,
  plan: Plan,
  logins: Logins,
): (account: PlanAccount) => ReaderConnectors {
  return (account) => {
    const e = endpoints(plan, account, logins);
    return {
      source: () => connectMemoryReader(net, e.source),
      destination: () => connectMemoryReader(net, e.destination),
    };
  };
}

/**
 * The wiring of `runCli` over the memory servers of a file, opened when a command first needs
 * them (after the lock is taken: a run refused by the lock never reads the file).
 * @param serversFile written by {@link MemoryNetwork.create}
 * @param extra observers and overrides (reporters, a step hook, io, exitNow, retry)
 */
export function memoryWiring(serversFile: string, extra: Partial<CliWiring> = {}): CliWiring {
  return {
    connectors: async (plan, _logger, logins) =>
      memoryConnectors(MemoryNetwork.open(serversFile), plan, logins),
    readers: async (plan, _logger, logins) => memoryReaders(MemoryNetwork.open(serversFile), plan, logins),
    ...extra,
  };
}
