/**
 * The production wiring of the command line: IMAP servers, the process's streams, and a second
 * Ctrl-C that ends the process at once. The IMAP code is imported when a command first needs a
 * server, so `--help` and `status` start without it.
 */
import type { CliWiring } from './wiring.js';

/**
 * The wiring `mailshift` runs with.
 * @param exitNow ends the process (a second Ctrl-C); given by the bin, the only place that exits,
 *   and left out by an in-process caller, whose second Ctrl-C then repeats the first.
 */
export function imapWiring(exitNow?: (code: number) => void): CliWiring {
  return {
    connectors: async (plan, logger, logins) =>
      (await import('./imap-connectors.js')).imapConnectors(plan, logger, logins),
    readers: async (plan, logger, logins) =>
      (await import('./imap-connectors.js')).imapReaders(plan, logger, logins),
    inboxWake: async (plan, logger, logins) =>
      (await import('./inbox-wake.js')).imapInboxWake(plan, logger, logins),
    ...(exitNow ? { exitNow } : {}),
  };
}
