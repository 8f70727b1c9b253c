/**
 * A sync process for the kill test: the real loop and state over a pass that takes 400 ms and logs
 * its start and end. Usage: node --import tsx sync-child.ts <state dir> <log file>. SIGTERM stops it.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointStore } from '../../../src/state/checkpoint-store.js';
import { ScheduleStore } from '../../../src/state/schedule-store.js';
import { watch } from '../../../src/watch/watch.js';
import { summaryOf } from './watch-fixtures.js';

const [dir, log] = process.argv.slice(2) as [string, string];
const db = join(dir, 'state.sqlite');
CheckpointStore.open(db).close();
const schedule = ScheduleStore.open(db);
const stop = new AbortController();
process.on('SIGTERM', () => stop.abort());
appendFileSync(log, `ready ${process.pid}\n`);
await watch(
  { everyMs: 300, minGapMs: 100, maxBackoffMs: 10_000 },
  {
    plan: 'kill-test',
    accounts: ['a@x'],
    schedule,
    signal: stop.signal,
    runPass: async (req) => {
      appendFileSync(log, `start ${req.number} ${req.trigger}\n`);
      await new Promise((r) => setTimeout(r, 400));
      appendFileSync(log, `end ${req.number}\n`);
      return summaryOf([{ account: 'a@x', copied: 1 }]);
    },
  },
);
schedule.close();
