/**
 * New mail in the source INBOXes as a reason for `mailshift sync` to start a pass early: one IDLE
 * connection per account (imap/inbox-idle.ts), open only while the sync waits between passes and
 * closed before a pass starts, so it never competes with the pass for the server's connection caps
 * (`maxConnections` per account, `maxConnectionsTotal` in all: at most that many INBOXes are
 * watched). An account whose server has no IDLE, or whose watch fails, is left to the schedule.
 */
import type { Logins } from '../auth/logins.js';
import { waitForInboxMail } from '../imap/inbox-idle.js';
import type { Plan } from '../plan/load-plan.js';
import type { Logger } from '../shared/logger.js';
import { accountById, endpoints } from './endpoints.js';
import type { InboxWake } from './wiring.js';

/** Watches the source INBOXes of a plan's accounts over IMAP IDLE. */
export function imapInboxWake(plan: Plan, logger: Logger, logins: Logins): InboxWake {
  const noIdle = new Set<string>();
  let closing: Promise<unknown> = Promise.resolve();
  return {
    wait(accounts, signal) {
      const stop = new AbortController();
      const both = AbortSignal.any([signal, stop.signal]);
      const watched = accounts.filter((a) => !noIdle.has(a)).slice(0, plan.source.maxConnectionsTotal);
      return new Promise<void>((resolve) => {
        const waits = watched.map(async (id) => {
          try {
            const how = await waitForInboxMail(endpoints(plan, accountById(plan, id), logins).source, {
              signal: both,
            });
            if (how === 'no-idle') {
              noIdle.add(id);
              logger.info(
                { account: id },
                'the source server does not offer IDLE: passes follow the schedule',
              );
            } else if (how === 'new-mail') {
              logger.info({ account: id }, 'new mail in the source INBOX: a pass starts early');
              stop.abort();
              resolve();
            }
          } catch (err) {
            logger.warn(
              { account: id, err: String(err) },
              'watching the source INBOX failed; the schedule decides',
            );
          }
        });
        closing = Promise.allSettled(waits);
      });
    },
    closed: () => closing.then(() => undefined),
  };
}
