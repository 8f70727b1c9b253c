/**
 * The harness stops its servers even when the test process fails: an uncaught error and a
 * SIGTERM both leave no Dovecot running, and no server folder.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { REPO } from '../harness/migration-env.js';

// The child reports the master's pid itself: after an uncaught error it may have cleaned up its
// folder (pid file included) before the parent could read it.
const SCRIPT = `
import { existsSync, readFileSync } from 'node:fs';
import { startDovecot } from './test/harness/dovecot.ts';
const s = await startDovecot({ flavor: 'source', users: [{ user: 'a@b.example', password: 'x' }] });
const pid = readFileSync(s.dir + '/run/master.pid', 'utf8').trim();
process.stdout.write(s.dir + '\\t' + pid + '\\n');
if (process.argv.at(-1) === 'throw') throw new Error('a failing test');
setInterval(() => {}, 1000);
`;

/** Running, and not a zombie waiting to be reaped by an init that does not reap. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function startChild(mode: 'throw' | 'wait') {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT, mode], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  while (!out.includes('\n') && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  const [dir = '', pid = '0'] = out.trim().split('\t');
  return { child, dir, pid: Number(pid) };
}

/** Waits for the process to end; generous, since the whole suite loads the machine meanwhile. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return !alive(pid);
}

function state(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').slice(0, 3).join(' ');
  } catch {
    return 'gone';
  }
}

describe('harness cleanup', () => {
  it('stops the server when the test process dies of an uncaught error', async () => {
    const { child, dir, pid } = await startChild('throw');
    assert.ok(pid > 0, 'the server was started');
    if (child.exitCode === null) await once(child, 'exit');
    assert.ok(await gone(pid), `dovecot ${pid} still running: ${state(pid)}`);
    assert.equal(existsSync(dir), false, `${dir} left behind`);
  });

  it('stops the server when the test process is terminated', async () => {
    const { child, dir, pid } = await startChild('wait');
    assert.ok(pid > 0 && alive(pid) && existsSync(dir));
    child.kill('SIGTERM');
    await once(child, 'exit');
    assert.ok(await gone(pid), `dovecot ${pid} still running: ${state(pid)}`);
    assert.equal(existsSync(dir), false, `${dir} left behind`);
    assert.equal(spawnSync('pgrep', ['-f', `run/${pid}`]).status, 1);
  });
});
