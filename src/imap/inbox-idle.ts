/**
 * Waits for new mail in the INBOX of one account's source server, so that `mailshift sync` can start
 * a pass early instead of at the next scheduled time. The INBOX is opened read-only (EXAMINE, so the
 * source is not touched, not even its \Recent flags) and watched with IDLE (RFC 2177): the server
 * sends `* n EXISTS` when mail arrives. IDLE is ended and started again before the server or a NAT
 * would drop a silent connection (RFC 2177 asks clients to end it within 29 minutes; the plan's
 * `timeoutMs` counts silence as a lost connection, so it is renewed within half of that).
 *
 * A server without IDLE is not watched: the schedule alone then decides.
 */
import type { ImapFlow } from 'imapflow';
import type { Endpoint } from '../core/endpoint.js';
import type { Logger } from '../shared/logger.js';
import { openImap } from './connect.js';
import { fromImapflow } from './store-errors.js';

/** How a wait ended. */
export type InboxWaitEnd = 'new-mail' | 'no-idle' | 'stopped';

/** Options of a wait. */
export interface InboxWaitOptions {
  signal: AbortSignal;
  logger?: Logger | false;
  /** How often IDLE is ended and started again (default: a fifth of the server's timeoutMs, at most 5 min). */
  renewMs?: number;
}

/** Resolves on the first of: the signal aborting, or the INBOX growing. */
function whenNewMail(client: ImapFlow, signal: AbortSignal): Promise<'new-mail' | 'stopped'> {
  return new Promise((resolve) => {
    const done = (how: 'new-mail' | 'stopped') => {
      client.off('exists', onExists);
      signal.removeEventListener('abort', onAbort);
      resolve(how);
    };
    const onExists = (e: { count: number; prevCount: number }) => {
      if (e.count > e.prevCount) done('new-mail');
    };
    const onAbort = () => done('stopped');
    client.on('exists', onExists);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Logs in to the source, EXAMINEs INBOX and IDLEs until new mail arrives or `signal` aborts; the
 * connection is logged out (closed) before the promise settles.
 * @returns `new-mail`, `no-idle` when the server does not offer IDLE, or `stopped`
 * @throws StoreError when the connection cannot be made or is lost
 */
export async function waitForInboxMail(e: Endpoint, opts: InboxWaitOptions): Promise<InboxWaitEnd> {
  if (opts.signal.aborted) return 'stopped';
  const client = await openImap(e, opts.logger ?? false);
  let lost: unknown;
  client.on('close', () => (lost ??= new Error('connection closed')));
  try {
    if (!client.capabilities.has('IDLE')) return 'no-idle';
    await client.mailboxOpen('INBOX', { readOnly: true });
    const ended = whenNewMail(client, opts.signal);
    const renewMs = opts.renewMs ?? Math.min(300_000, Math.floor(e.server.timeoutMs / 5));
    // A command sent while IDLE runs makes imapflow end it with DONE; NOOP also collects any EXISTS.
    const renew = setInterval(() => void client.noop().catch(() => {}), renewMs);
    try {
      const idling = (async () => {
        while (!opts.signal.aborted && client.usable) await client.idle({ whenFree: true });
      })();
      idling.catch(() => {});
      const how = await Promise.race([ended, idling.then(() => 'stopped' as const)]);
      if (how === 'stopped' && !opts.signal.aborted && lost) throw lost;
      return how;
    } finally {
      clearInterval(renew);
    }
  } catch (err) {
    throw fromImapflow(err, `IDLE on INBOX of ${e.user}`, client.usable);
  } finally {
    await client.logout().catch(() => client.close());
  }
}
