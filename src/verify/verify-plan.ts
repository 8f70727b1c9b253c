/**
 * `verify`: every account of the plan, a few at a time within both servers' connection caps
 * (core/connection-caps.ts), read-only on both sides, plus the plan's address list. Returns the
 * report; printing and writing it are the reporters' job.
 */
import PQueue from 'p-queue';
import { connectionCaps, VERIFY_LANE } from '../core/connection-caps.js';
import type { FolderMapper } from '../core/ports.js';
import type { Plan, PlanAccount } from '../plan/load-plan.js';
import type { Logger } from '../shared/logger.js';
import type { CheckpointStore } from '../state/checkpoint-store.js';
import { gmailSettingsOf } from '../plan/gmail-labels.js';
import { isOpenWindow, resolveWindow, windowOf } from '../plan/window.js';
import { checkAddresses } from './check-addresses.js';
import { verdictOf, verifyTotals } from './verdict.js';
import { verifyAccount } from './verify-account.js';
import { type ReaderConnectors } from '../core/ports.js';
import { VERIFY_REPORT_VERSION, type AccountResult, type VerifyMode, type VerifyReport } from './types.js';

/** What the CLI builds for a verification. */
export interface VerifyDeps {
  store: CheckpointStore;
  mapper: FolderMapper;
  readers: (account: PlanAccount) => ReaderConnectors;
  mode: VerifyMode;
  lang: 'pl' | 'en';
  signal: AbortSignal;
  logger: Logger;
  /** Called as each account is done (progress on the console). */
  onAccount?: (result: AccountResult) => void;
  /** Source messages per slice of a big folder (verify-slices.ts). */
  sliceMessages?: number;
}

/**
 * Verifies every account of the plan.
 * @returns the report with its verdict
 * @throws MailshiftError INTERRUPTED when stopped by the signal
 */
export async function verifyPlan(plan: Plan, deps: VerifyDeps): Promise<VerifyReport> {
  const started = Date.now();
  const caps = connectionCaps(plan, VERIFY_LANE);
  const queue = new PQueue({ concurrency: caps.accountsAtOnce });
  const results = await Promise.all(
    plan.accounts.map((account) =>
      queue.add(async () => {
        const window = resolveWindow(windowOf(plan, account), new Date(started));
        const r = await verifyAccount(account, {
          ...(isOpenWindow(window) ? {} : { window }),
          connect: deps.readers(account),
          store: deps.store,
          mapper: deps.mapper,
          mode: deps.mode,
          repair: plan.problems,
          lanes: caps.lanesPerAccount,
          retry: plan.limits.retry,
          signal: deps.signal,
          logger: deps.logger,
          gmail: gmailSettingsOf(plan),
          ...(deps.sliceMessages ? { sliceMessages: deps.sliceMessages } : {}),
        });
        deps.onAccount?.(r);
        return r;
      }),
    ),
  );
  const accounts = results.filter((r): r is AccountResult => r !== undefined);
  const addresses = checkAddresses(
    plan.addresses ?? [],
    plan.accounts.map((a) => ({ source: a.source.user, destination: a.destination.user })),
  );
  const totals = verifyTotals(accounts, addresses);
  return {
    version: VERIFY_REPORT_VERSION,
    plan: plan.name,
    ...(plan.report?.client ? { client: plan.report.client } : {}),
    generatedAt: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
    mode: deps.mode,
    lang: deps.lang,
    verdict: verdictOf(totals),
    totals,
    accounts,
    addresses,
  };
}
