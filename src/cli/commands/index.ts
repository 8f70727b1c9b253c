/**
 * The command registry: one module per command, in the order of a migration. Each handler
 * imports its core lazily, so `--help` and `status` do not load the IMAP and report code.
 */
import type { CommandModule } from 'yargs';
import { loginCommand } from './login.js';
import { planCommand } from './plan.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';
import { statusCommand } from './status.js';
import { verifyCommand } from './verify.js';

export const commands: CommandModule<object, never>[] = [
  planCommand,
  reportCommand,
  runCommand,
  statusCommand,
  verifyCommand,
  loginCommand,
] as unknown as CommandModule<object, never>[];
