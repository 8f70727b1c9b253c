/**
 * The command registry: one module per command, in the order of a migration.
 */
import type { CommandModule } from 'yargs';
import { planCommand } from './plan.js';
import { runCommand } from './run.js';
import { statusCommand } from './status.js';

export const commands: CommandModule<object, never>[] = [
  planCommand,
  runCommand,
  statusCommand,
] as unknown as CommandModule<object, never>[];
