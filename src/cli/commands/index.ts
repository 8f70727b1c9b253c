/**
 * The command registry: one module per command, in the order of a migration. Each handler
 * imports its core lazily, so `--help` and `status` do not load the IMAP and report code.
 */
import type { CommandModule } from 'yargs';
import type { CliSession } from '../wiring.js';
import { dashboardCommand } from './dashboard.js';
import { loginCommand } from './login.js';
import { planCommand } from './plan.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';
import { statusCommand } from './status.js';
import { syncCommand } from './sync.js';
import { verifyCommand } from './verify.js';

/** The commands of one `runCli` call, their handlers bound to its session. */
export function commands(session: CliSession): CommandModule<object, never>[] {
  return [
    planCommand(session),
    reportCommand(session),
    runCommand(session),
    syncCommand(session),
    statusCommand(session),
    verifyCommand(session),
    dashboardCommand(session),
    loginCommand(session),
  ] as unknown as CommandModule<object, never>[];
}
