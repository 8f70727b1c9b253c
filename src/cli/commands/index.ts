/**
 * The command registry: one module per command, in the order of a migration.
 */
import type { CommandModule } from 'yargs';
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
] as unknown as CommandModule<object, never>[];
