/**
 * The command registry: one module per command, in the order of a migration.
 */
import type { CommandModule } from 'yargs';
import { runCommand } from './run.js';
import { statusCommand } from './status.js';

export const commands: CommandModule<object, never>[] = [
  runCommand,
  statusCommand,
] as unknown as CommandModule<object, never>[];
