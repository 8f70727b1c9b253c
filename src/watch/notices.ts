/**
 * The notices of a sync, built from what a pass returned: a pass done (the final one is the
 * cutover), an account stopped, the sync stopped. English, like the console: they go to the person
 * running the migration. Which repeats are held back is said by each notice's key:
 * - the same account stopping with the same code is one condition until it recovers;
 * - a pass that copied nothing and failed nothing is one condition too ("still in step").
 */
import { formatNumber, formatSize } from '../core/units.js';
import type { RunSummary } from '../engine/migrate.js';
import { NOTIFICATION_SCHEMA, type Notice, type PassFacts } from '../notify/notification.js';

/** One account's part in a pass (the engine's AccountResult, as RunSummary carries it). */
type AccountResult = RunSummary['accounts'][number];

/** The pass a notice is about. */
export interface PassInfo {
  number: number;
  final: boolean;
  trigger: string;
  startedAt: number;
}

/** The key of "this account stopped for this reason", and the prefix of all its keys. */
export function accountNoticePrefix(account: string): string {
  return `account-stopped:${account}:`;
}

/**
 * The kind of an account's failure: its error code where the engine gives one, else its message
 * with the numbers taken out (so "retry 3 of 5" and "retry 4 of 5" are the same failure).
 */
export function failureKind(a: AccountResult): string {
  const code = (a as AccountResult & { code?: string }).code;
  if (code) return code;
  return (a.error ?? 'unknown').replace(/\d+/g, '#').slice(0, 120);
}

const n = (v: number) => formatNumber('en', v);
const iso = (t: number) => new Date(t).toISOString();

/** The facts of a pass for a notification. */
export function passFacts(pass: PassInfo, s: RunSummary, nextPassAt: number | undefined): PassFacts {
  return {
    number: pass.number,
    final: pass.final,
    trigger: pass.trigger,
    startedAt: iso(pass.startedAt),
    seconds: Math.round(s.seconds * 10) / 10,
    copied: s.totals.copied,
    bytes: s.totals.bytes,
    present: s.totals.present,
    skipped: s.totals.skipped,
    failed: s.totals.failed,
    accounts: s.accounts.length,
    accountsStopped: s.accounts.filter((a) => a.error !== undefined).length,
    complete: s.complete,
    ...(nextPassAt === undefined ? {} : { nextPassAt: iso(nextPassAt) }),
  };
}

/** "Pass 4 done" or, for the final pass, "Cutover done". */
export function passNotice(
  plan: string,
  pass: PassInfo,
  s: RunSummary,
  nextPassAt: number | undefined,
  now: number,
): Notice {
  const facts = passFacts(pass, s, nextPassAt);
  const troubled = facts.failed > 0 || facts.accountsStopped > 0;
  const lines = [
    `${n(facts.copied)} messages copied (${formatSize('en', facts.bytes)}), ${n(facts.present)} already there, ` +
      `${n(facts.skipped)} skipped, ${n(facts.failed)} failed, in ${n(facts.seconds)} s.`,
    `${n(facts.accounts - facts.accountsStopped)} of ${n(facts.accounts)} accounts went through` +
      (facts.accountsStopped > 0 ? `; ${n(facts.accountsStopped)} stopped (see their own notices).` : '.'),
  ];
  for (const a of s.accounts.filter((x) => x.error === undefined && x.totals.failed > 0))
    lines.push(`${a.account}: ${n(a.totals.failed)} messages not copied (listed by mailshift status).`);
  if (pass.final)
    lines.push(
      facts.complete
        ? 'The final pass after the cutover is complete. Run `mailshift report --final` for the handover report.'
        : 'The final pass after the cutover left something behind: see above, fix it and run `mailshift run` again.',
    );
  else if (nextPassAt !== undefined) lines.push(`Next pass at ${iso(nextPassAt)}.`);
  const title = pass.final
    ? `Cutover done: final pass ${facts.complete ? 'complete' : 'INCOMPLETE'}`
    : `Pass ${facts.number} done: ${n(facts.copied)} copied` + (troubled ? ', with failures' : '');
  const quiet = !pass.final && facts.copied === 0 && !troubled;
  return {
    notification: {
      schema: NOTIFICATION_SCHEMA,
      kind: pass.final ? 'cutover-done' : 'pass-done',
      severity: troubled ? 'warning' : 'info',
      plan,
      time: iso(now),
      title,
      text: lines.join('\n'),
      pass: facts,
    },
    ...(quiet ? { dedupeKey: 'pass-idle' } : {}),
  };
}

/** "Account x stopped": once per account and kind of failure, until it recovers. */
export function accountStoppedNotice(
  plan: string,
  a: AccountResult,
  backoff: { failures: number; since: number; retryAt?: number },
  now: number,
): Notice {
  const code = (a as AccountResult & { code?: string }).code;
  const error = a.error ?? 'stopped';
  const lines = [error];
  if (a.hint) lines.push(`What to do: ${a.hint}`);
  lines.push(
    backoff.retryAt === undefined
      ? 'It will not be tried again: the sync has stopped.'
      : `It is tried again at ${iso(backoff.retryAt)}; the other accounts go on.`,
  );
  return {
    notification: {
      schema: NOTIFICATION_SCHEMA,
      kind: 'account-stopped',
      severity: 'error',
      plan,
      time: iso(now),
      title: `Account ${a.account} stopped`,
      text: lines.join('\n'),
      account: {
        account: a.account,
        ...(code ? { code } : {}),
        error,
        ...(a.hint ? { hint: a.hint } : {}),
        failures: backoff.failures,
        since: iso(backoff.since),
        ...(backoff.retryAt === undefined ? {} : { retryAt: iso(backoff.retryAt) }),
      },
    },
    dedupeKey: `${accountNoticePrefix(a.account)}${failureKind(a)}`,
  };
}

/** "The sync stopped": the pass could not go on at all (state unwritable, disk full...). */
export function syncStoppedNotice(
  plan: string,
  error: string,
  hint: string | undefined,
  now: number,
): Notice {
  return {
    notification: {
      schema: NOTIFICATION_SCHEMA,
      kind: 'sync-stopped',
      severity: 'error',
      plan,
      time: iso(now),
      title: 'The sync stopped',
      text: [error, ...(hint ? [`What to do: ${hint}`] : []), 'No pass runs until it is started again.'].join(
        '\n',
      ),
    },
  };
}
