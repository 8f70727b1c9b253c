/**
 * What one IMAP login costs the server: a Dovecot of the benchmark's settings, a number of logins
 * (each LOGIN, one LIST-STATUS, LOGOUT on a plain socket, the least a client can do), and the CPU of
 * the server's whole process tree (exited children included) divided by the logins.
 *
 *   npx tsx bench/login-cost.ts                          # Dovecot's default process model
 *   npx tsx bench/login-cost.ts --dovecot performance    # its high-performance mode (options.ts)
 *   npx tsx bench/login-cost.ts --logins 300 --parallel 4
 */
import { parseArgs } from 'node:util';
import { startDovecot } from '../test/harness/dovecot.js';
import { dovecotConfig } from './options.js';
import { plainSession } from './plain-session.js';
import { dovecotMasterPid, treeCpuSeconds } from './processes.js';

const LIST = 'LIST "" "*" RETURN (STATUS (MESSAGES UIDNEXT UIDVALIDITY))';

const { values } = parseArgs({
  options: {
    dovecot: { type: 'string', default: 'default' },
    logins: { type: 'string', default: '200' },
    parallel: { type: 'string', default: '1' },
  },
});
const mode = values.dovecot === 'performance' ? 'performance' : 'default';
const logins = Number(values.logins);
const parallel = Number(values.parallel);
const users = Array.from({ length: 20 }, (_, i) => ({ user: `u${i}@firma.pl`, password: `pw-${i}` }));
const server = await startDovecot({
  flavor: 'source',
  users,
  fsync: true,
  ...dovecotConfig({ dovecot: mode }),
});
try {
  const pid = dovecotMasterPid(server.dir);
  if (pid === undefined) throw new Error('no Dovecot master process');
  // Each user's first login creates its mailbox: not what is measured.
  for (const u of users) await plainSession(server.port, u, [LIST]);
  const cpu0 = treeCpuSeconds(pid);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < logins) {
        const u = users[next++ % users.length]!;
        await plainSession(server.port, u, [LIST]);
      }
    }),
  );
  const wallMs = (performance.now() - t0) / logins;
  const cpuMs = ((treeCpuSeconds(pid) - cpu0) * 1000) / logins;
  process.stdout.write(
    `Dovecot ${mode}, ${logins} logins ${parallel} at a time: ${cpuMs.toFixed(1)} ms of server CPU and ${wallMs.toFixed(1)} ms of wall per login\n`,
  );
} finally {
  await server.stop();
}
