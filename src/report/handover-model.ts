/**
 * The handover report (`mailshift report --final`), as plain data: what the client is handed after
 * the cutover. Per mailbox: what was copied, when the last pass ran, verify's verdict (verify runs
 * as part of it), and every failure with its reason and what was done about it. Built from the
 * state (checkpoints, passes) and a verification report; the JSON report is this, serialised, and
 * the HTML and Markdown are views of it (handover-html.ts, handover-markdown.ts).
 */
import type { Lang } from '../core/units.js';
import type { CheckpointStore, MessageRow } from '../state/checkpoint-store.js';
import type { PassAccountRow, ScheduleStore } from '../state/schedule-store.js';
import type { AccountResult, Verdict, VerifyReport } from '../verify/types.js';
import { accountStatusRows } from './status-report.js';

/** Version of the handover report JSON; a reader refuses any other. */
export const HANDOVER_VERSION = 1;

/** What was done about a failure. */
export type FailureAction =
  /** The new server refused the message on every try; it is still on the old server only. */
  | 'left-on-source'
  /** The message was repaired (line endings, NUL bytes) and then accepted. */
  | 'repaired'
  /** Copied without some flags the new server does not keep. */
  | 'flags-dropped'
  /** The mailbox stopped in some passes and went through in a later one. */
  | 'recovered'
  /** The mailbox stopped and has not gone through since. */
  | 'still-stopped';

/** One failure and what became of it. */
export interface HandoverFailure {
  action: FailureAction;
  /** Folder and UID of a message, or the passes of a mailbox. */
  folder?: string;
  uid?: number;
  passes?: number[];
  /** The server's or mailshift's words. */
  reason: string;
  /** For `recovered`: the pass it went through in. */
  resolvedInPass?: number;
}

/** Verify's word on one mailbox. */
export interface AccountCheck {
  verdict: Verdict;
  missing: number;
  notYetCopied: number;
  flagDifferences: number;
  extra: number;
  error?: string;
}

/** One mailbox. */
export interface HandoverAccount {
  account: string;
  destinationUser: string;
  status: string;
  folders: number;
  copied: number;
  present: number;
  skipped: number;
  failed: number;
  bytes: number;
  /** When the last pass that took this mailbox ended (or its last recorded activity). */
  lastPassAt?: string;
  lastPass?: number;
  check: AccountCheck;
  skippedByReason: { reason: string; messages: number; bytes: number }[];
  failures: HandoverFailure[];
}

/** The overall word: verify's verdict, with the mailboxes that stopped counted against it. */
export type HandoverVerdict = 'complete' | 'incomplete' | 'failed';

/** The handover report (JSON `version: 1`). */
export interface HandoverReport {
  version: typeof HANDOVER_VERSION;
  kind: 'handover';
  plan: string;
  client?: string;
  lang: Lang;
  generatedAt: string;
  verdict: HandoverVerdict;
  cutoverAt?: string;
  finalPassAt?: string;
  firstPassAt?: string;
  passes: number;
  verify: { verdict: Verdict; generatedAt: string; mode: VerifyReport['mode']['kind'] };
  totals: {
    accounts: number;
    copied: number;
    present: number;
    skipped: number;
    failed: number;
    bytes: number;
  };
  accounts: HandoverAccount[];
}

/** What the report is built from. */
export interface HandoverInput {
  plan: { name: string; client?: string; accounts: readonly { id: string; destination: { user: string } }[] };
  store: Pick<
    CheckpointStore,
    'counts' | 'accountStatuses' | 'folders' | 'notableMessages' | 'skippedByReason'
  >;
  /** The schedule of `sync`, when the migration was run by it. */
  schedule?: Pick<ScheduleStore, 'schedule' | 'passes' | 'accountPasses'>;
  verify: VerifyReport;
  lang: Lang;
  now: Date;
}

const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

/** Verify's verdict on one account, by the same rules as the whole report's. */
export function accountCheck(a: AccountResult | undefined): AccountCheck {
  if (!a)
    return {
      verdict: 'failed',
      missing: 0,
      notYetCopied: 0,
      flagDifferences: 0,
      extra: 0,
      error: 'not verified',
    };
  const sum = (k: 'missing' | 'notYetCopied' | 'flagDifferences' | 'extra' | 'contentDifferences') =>
    a.folders.reduce((s, f) => s + f.counts[k], 0);
  const loginError = !a.sourceLogin.ok
    ? a.sourceLogin.error
    : !a.destinationLogin.ok
      ? a.destinationLogin.error
      : undefined;
  const error = loginError ?? a.error ?? a.folders.find((f) => f.status === 'error')?.detail;
  const lost = sum('missing') > 0 || sum('contentDifferences') > 0 || error !== undefined;
  return {
    verdict: lost ? 'failed' : sum('notYetCopied') > 0 ? 'incomplete' : 'passed',
    missing: sum('missing'),
    notYetCopied: sum('notYetCopied'),
    flagDifferences: sum('flagDifferences'),
    extra: sum('extra'),
    ...(error === undefined ? {} : { error }),
  };
}

function messageFailures(rows: MessageRow[]): HandoverFailure[] {
  const out: HandoverFailure[] = [];
  for (const r of rows) {
    const at = { folder: r.folder, uid: r.uid };
    if (r.state === 'failed') out.push({ action: 'left-on-source', ...at, reason: r.reason ?? '' });
    else if (r.repaired) out.push({ action: 'repaired', ...at, reason: r.repaired });
    else if (r.dropped_flags)
      out.push({
        action: 'flags-dropped',
        ...at,
        reason: (JSON.parse(r.dropped_flags) as string[]).join(' '),
      });
  }
  return out;
}

/**
 * The stops of a mailbox over the passes: each run of consecutive stopped passes with the same
 * reason, and the pass it went through in afterwards, if any.
 */
export function accountStops(passes: readonly PassAccountRow[]): HandoverFailure[] {
  const out: HandoverFailure[] = [];
  let open: HandoverFailure | undefined;
  for (const p of passes) {
    if (p.status === 'stopped') {
      const reason = p.error ?? p.code ?? 'stopped';
      if (open && open.reason === reason) open.passes?.push(p.pass);
      else {
        open = { action: 'still-stopped', passes: [p.pass], reason };
        out.push(open);
      }
    } else {
      // Through at last: every stop before it ended here.
      for (const f of out)
        if (f.action === 'still-stopped') Object.assign(f, { action: 'recovered', resolvedInPass: p.pass });
      open = undefined;
    }
  }
  return out;
}

/** Builds the handover report. */
export function buildHandover(input: HandoverInput): HandoverReport {
  const { store, schedule, verify } = input;
  const rows = accountStatusRows(input.plan, store);
  const verified = new Map(verify.accounts.map((a) => [a.account, a]));
  const skipped = store.skippedByReason();
  const accounts = input.plan.accounts.map((pa, i): HandoverAccount => {
    const r = rows[i]!;
    const history = schedule?.accountPasses(pa.id) ?? [];
    const last = history[history.length - 1];
    const lastPass = last ? schedule?.passes(1_000).find((p) => p.number === last.pass) : undefined;
    return {
      account: pa.id,
      destinationUser: pa.destination.user,
      status: r.status,
      folders: r.folders,
      copied: r.copied,
      present: r.present,
      skipped: r.skipped,
      failed: r.failed,
      bytes: r.bytes,
      ...(lastPass
        ? { lastPass: lastPass.number, lastPassAt: iso(lastPass.finishedAt ?? lastPass.startedAt) }
        : {}),
      ...(!lastPass && r.lastUpdate ? { lastPassAt: r.lastUpdate } : {}),
      check: accountCheck(verified.get(pa.id)),
      skippedByReason: skipped
        .filter((s) => s.account === pa.id)
        .map((s) => ({ reason: s.reason, messages: s.messages, bytes: s.bytes })),
      failures: [...accountStops(history), ...messageFailures(store.notableMessages(pa.id))],
    };
  });
  const passes = schedule?.passes(100_000) ?? [];
  const final = passes.find((p) => p.final && p.finishedAt !== undefined);
  const first = passes[passes.length - 1];
  const sched = schedule?.schedule();
  const stopped = accounts.some((a) => a.failures.some((f) => f.action === 'still-stopped'));
  const verdict: HandoverVerdict =
    verify.verdict === 'failed'
      ? 'failed'
      : verify.verdict === 'incomplete' || stopped
        ? 'incomplete'
        : 'complete';
  const sum = (k: 'copied' | 'present' | 'skipped' | 'failed' | 'bytes') =>
    accounts.reduce((s, a) => s + a[k], 0);
  return {
    version: HANDOVER_VERSION,
    kind: 'handover',
    plan: input.plan.name,
    ...(input.plan.client ? { client: input.plan.client } : {}),
    lang: input.lang,
    generatedAt: input.now.toISOString(),
    verdict,
    ...(sched?.cutoverAt === undefined ? {} : { cutoverAt: iso(sched.cutoverAt) }),
    ...(final ? { finalPassAt: iso(final.finishedAt) } : {}),
    ...(first ? { firstPassAt: iso(first.startedAt) } : {}),
    passes: passes.length,
    verify: { verdict: verify.verdict, generatedAt: verify.generatedAt, mode: verify.mode.kind },
    totals: {
      accounts: accounts.length,
      copied: sum('copied'),
      present: sum('present'),
      skipped: sum('skipped'),
      failed: sum('failed'),
      bytes: sum('bytes'),
    },
    accounts,
  };
}
