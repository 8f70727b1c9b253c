#!/usr/bin/env node
/**
 * The mailshift command line: runs `runCli` (cli.ts) with the production wiring and exits with
 * the code it returns. The only place that exits.
 */
import v8 from 'node:v8';
import { hideBin } from 'yargs/helpers';
import { runCli } from './cli.js';
import { imapWiring } from './imap-wiring.js';

/**
 * Keeps V8's heap close to what is alive. A run allocates fast (every FETCH response, every
 * batch), and by default V8 grows the young generation to 32 MiB and lets the old one reach
 * several times its live size before collecting: ~60 MiB of a ~150 MiB run would be garbage.
 * These two flags take effect at runtime (unlike --max-semi-space-size) and cost ~10% more client
 * CPU, which the copy does not wait for (measured with `npm run bench`; README, "Speed").
 */
v8.setFlagsFromString('--semi-space-growth-factor=1');
v8.setFlagsFromString('--heap-growing-percent=20');

const outcome = await runCli(
  hideBin(process.argv),
  imapWiring((code) => process.exit(code)),
);
process.exit(outcome.code);
