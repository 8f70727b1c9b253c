/**
 * The `login` command's core calls: sign the chosen accounts in by the OAuth2 device flow, one
 * after the other (a person follows each code), or show how every account logs in.
 */
import type { Side } from '../core/endpoint.js';
import { describeError, ExitCode, MailshiftError } from '../core/errors.js';
import { formatLoginStatus, loginStatus } from '../auth/login-status.js';
import { openLogins, type AccountSide, type Logins, type SignInPrompt } from '../auth/logins.js';
import { describeCredential } from '../plan/credentials.js';
import { loadPlan, type Plan } from '../plan/load-plan.js';
import { createFileLogger, silentLogger } from '../shared/logger.js';
import { terminalText } from '../shared/terminal-text.js';
import { prepareStateDir, stateDirFor } from '../state/state-dir.js';
import { checkAccounts, type PlanArgs } from './context.js';
import type { CliIo, CliSession } from './wiring.js';

/** Options of `login`, as yargs parses them. */
export interface LoginArgs extends PlanArgs {
  account?: string[];
  side?: 'source' | 'destination';
  status: boolean;
}

function sidesOf(plan: Plan, args: LoginArgs): AccountSide[] {
  const sides: Side[] = args.side ? [args.side] : ['source', 'destination'];
  return plan.accounts
    .filter((a) => !args.account || args.account.includes(a.id))
    .flatMap((a) => sides.map((side) => ({ side, account: a.id, user: a[side].user, login: a.login[side] })));
}

/** RFC 8628 section 3.3: show the address and the code; the address with the code in it is extra. */
function showPrompt(io: CliIo, p: SignInPrompt): void {
  const lines = [
    `Sign in ${p.user} (${p.side}, oauth2.${p.profile}): as ${p.user}, open`,
    `  ${p.verificationUri}`,
    `and enter the code  ${p.userCode}`,
    ...(p.verificationUriComplete ? [`(or open ${p.verificationUriComplete}, which carries the code)`] : []),
    `(valid for ${Math.round(p.expiresIn / 60)} minutes; waiting for the sign-in, Ctrl-C to stop)`,
  ];
  io.stdout.write(`${terminalText(lines.join('\n'))}\n`);
}

/**
 * Signs in the device-flow accounts chosen by `--account` and `--side`, or prints `--status`.
 * @returns 0 when every chosen sign-in succeeded (or all are ready, for --status), 1 otherwise
 * @throws MailshiftError PLAN_*, USAGE_ACCOUNT, INTERRUPTED
 */
export async function runLogin(args: LoginArgs, session: CliSession): Promise<number> {
  const plan = loadPlan(args.plan);
  checkAccounts(plan, args.account);
  const state = stateDirFor(plan.name, args.stateDir);
  const sides = sidesOf(plan, args);
  if (args.status) {
    const logins = openLogins(plan.logins, state.dir, silentLogger());
    const byId = new Map(plan.accounts.map((a) => [a.id, a]));
    const rows = sides.map((s) =>
      loginStatus(logins, plan.logins, s, describeCredential(byId.get(s.account)![s.side])),
    );
    session.io.stdout.write(
      args.json
        ? `${JSON.stringify({ version: 1, logins: rows }, null, 2)}\n`
        : `${formatLoginStatus(rows)}\n`,
    );
    return rows.every((r) => r.ready) ? ExitCode.ok : ExitCode.incomplete;
  }
  prepareStateDir(state);
  const logger = createFileLogger(state.log, process.env.MAILSHIFT_LOG_LEVEL ?? 'info').child({
    command: 'login',
  });
  const logins = openLogins(plan.logins, state.dir, logger);
  try {
    return await signInAll(logins, sides, session);
  } finally {
    logger.flush();
  }
}

async function signInAll(logins: Logins, sides: AccountSide[], session: CliSession): Promise<number> {
  const { io } = session;
  const person = sides.filter(
    (s) => s.login.method === 'oauth2' && logins.profile(s.login.profile).flow === 'deviceCode',
  );
  if (person.length === 0) {
    io.stdout.write('Nothing to sign in: no chosen account logs in by OAuth2 device code (see --status).\n');
    return ExitCode.ok;
  }
  const controller = new AbortController();
  // As in a run: the first Ctrl-C stops waiting for the sign-in, the second stops at once.
  const onSignal = () => {
    if (!controller.signal.aborted) controller.abort();
    else session.wiring.exitNow?.(ExitCode.interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let failed = 0;
  try {
    for (const s of person) {
      if (controller.signal.aborted) break;
      try {
        const got = await logins.signIn(s, (p) => showPrompt(io, p), controller.signal);
        const life = got.expiresIn ? `; access token valid ${got.expiresIn} s, renewed as needed` : '';
        io.stdout.write(
          `${terminalText(`Signed in ${s.user} (${s.side})${got.scope ? `, scopes ${got.scope}` : ''}${life}.`)}\n`,
        );
      } catch (err) {
        if (controller.signal.aborted) break;
        failed++;
        io.stdout.write(`${terminalText(`Not signed in ${s.user} (${s.side}): ${describeError(err)}`)}\n`);
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (controller.signal.aborted) {
    throw new MailshiftError('sign-in stopped before every account was signed in', {
      code: 'INTERRUPTED',
      scope: 'run',
      hint: 'run mailshift login again; accounts already signed in keep their sign-in',
    });
  }
  return failed > 0 ? ExitCode.incomplete : ExitCode.ok;
}
