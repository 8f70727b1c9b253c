/**
 * Dovecot's dsync as the reference migrator: `doveadm backup -R -u <user> imapc:` run with the
 * destination server's configuration, reading the source over IMAP (imapc). This is the
 * documented way to migrate from any IMAP server to Dovecot (doveadm-backup(1), Dovecot's
 * "Migration with dsync" page); the imapc settings are the ones that page recommends. dsync
 * writes the destination's maildirs itself, in its own process: only the source is reached over
 * the network (and through the latency proxy in the 30 ms runs).
 */
import { join } from 'node:path';
import type { DovecotServer } from '../test/harness/dovecot.js';
import { runMeasured, type Measured } from './processes.js';
import type { Address } from './run-mailshift.js';

/** imapc settings for the migration, after Dovecot's "Migration with dsync" page. */
export const DSYNC_SETTINGS = {
  imapc_features: 'rfc822.size fetch-headers',
  mail_prefetch_count: '20',
  // The source is a Courier/cPanel-style server whose folders all live under "INBOX.".
  imapc_list_prefix: 'INBOX',
  imapc_ssl: 'no',
};

/** Several accounts' dsync processes, measured together. */
export interface DsyncRun {
  /** Wall from the first start to the last exit; CPU summed; RSS the largest. */
  measured: Measured;
  perUser: { user: string; measured: Measured }[];
  /** 0 = perfect, 2 = "done, but some changes could not be made" (doveadm-backup(1)). */
  ok: boolean;
}

/**
 * Runs `doveadm backup -R` for each user, `parallel` at a time.
 * @param destination the (fresh) destination server: its config and userdb are used
 */
export async function runDsync(opts: {
  destination: DovecotServer;
  source: Address;
  users: { user: string; password: string }[];
  parallel: number;
}): Promise<DsyncRun> {
  const conf = join(opts.destination.dir, 'dovecot.conf');
  const queue = [...opts.users];
  const perUser: { user: string; measured: Measured }[] = [];
  const started = performance.now();
  const worker = async () => {
    for (let u = queue.shift(); u; u = queue.shift()) {
      const settings = {
        ...DSYNC_SETTINGS,
        imapc_host: opts.source.host,
        imapc_port: String(opts.source.port),
        imapc_user: u.user,
        imapc_password: u.password,
      };
      const args = ['-c', conf, ...Object.entries(settings).flatMap(([k, v]) => ['-o', `${k}=${v}`])];
      args.push('backup', '-R', '-u', u.user, 'imapc:');
      perUser.push({ user: u.user, measured: await runMeasured('doveadm', args) });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.parallel) }, worker));
  const wallMs = performance.now() - started;
  const failed = perUser.find((p) => p.measured.code !== 0 && p.measured.code !== 2);
  const measured: Measured = {
    code: failed ? failed.measured.code : 0,
    signal: failed ? failed.measured.signal : null,
    wallMs,
    userS: perUser.reduce((s, p) => s + p.measured.userS, 0),
    sysS: perUser.reduce((s, p) => s + p.measured.sysS, 0),
    maxRssMb: Math.max(0, ...perUser.map((p) => p.measured.maxRssMb)),
    stderrTail: failed ? `${failed.user}: ${failed.measured.stderrTail}` : '',
  };
  return { measured, perUser, ok: !failed };
}
