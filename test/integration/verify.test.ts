/**
 * `mailshift verify` against two real Dovecot servers. One environment for the whole file: a
 * complete run of the sample company passes, in normal and deep mode; then the destination and
 * the source are tampered with one step at a time, and each change must be found and named
 * precisely in the JSON report, next to the earlier ones.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ImapFlow } from 'imapflow';
import { imapWiring } from '../../src/cli/imap-wiring.js';
import { parseVerifyReport } from '../../src/report/verify-json.js';
import type { AccountResult, FolderResult, VerifyReport } from '../../src/verify/types.js';
import {
  connectPlain,
  destinationPassword,
  runCli,
  runCommandInProcess,
  runInProcess,
  startMigrationEnv,
  type MigrationEnv,
} from '../harness/migration-env.js';

const KONTAKT = 'kontakt@acme.example';
const SPRZEDAZ = 'sprzedaz@acme.example';
const KSIEGOWOSC = 'ksiegowosc@acme.example';
const REKRUTACJA = 'rekrutacja@acme.example';

/** A message added on the source after the run (and later copied to the destination by another tool). */
const AFTER_RUN = {
  subject: 'CV po migracji: Jan Nowak',
  raw: Buffer.from(
    `From: Jan Nowak <jan.nowak@poczta.example>\r\nTo: ${REKRUTACJA}\r\nSubject: CV po migracji: Jan Nowak\r\nDate: Wed, 25 Nov 2026 09:00:00 +0100\r\nMessage-ID: <after-run-1@poczta.example>\r\n\r\nDzien dobry.\r\n`,
  ),
  internalDate: new Date('2026-11-25T08:00:00Z'),
};

describe('mailshift verify (sample company, real Dovecot)', () => {
  let env: MigrationEnv;

  before(async () => {
    env = await startMigrationEnv();
    const run = await runInProcess(env);
    assert.ifError(run.error);
    assert.equal(run.summary?.complete, true);
  });
  after(async () => env?.stop());

  async function verify(
    ...extra: string[]
  ): Promise<{ code: number | null; report: VerifyReport; stderr: string }> {
    const res = await runCli(['verify', env.planPath, '--state-dir', env.stateDir, '--json', ...extra]);
    assert.ok(res.stdout.trim().startsWith('{'), `no JSON report on stdout:\n${res.stdout}\n${res.stderr}`);
    return { code: res.code, report: parseVerifyReport(res.stdout), stderr: res.stderr };
  }

  function account(r: VerifyReport, id: string): AccountResult {
    const a = r.accounts.find((x) => x.account === id);
    assert.ok(a, `no account ${id} in the report`);
    return a;
  }

  function folder(r: VerifyReport, id: string, source: string): FolderResult {
    const f = account(r, id).folders.find((x) => x.source === source);
    assert.ok(f, `no folder ${source} of ${id} in the report`);
    return f;
  }

  async function destination<T>(user: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
    const a = env.accounts.find((x) => x.user === user)!;
    const client = await connectPlain(env.dst, user, destinationPassword(a));
    try {
      return await fn(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  /** The first message of a folder that satisfies `pick`, with what identifies it. */
  async function firstMessage(c: ImapFlow, path: string, pick: (flags: Set<string>) => boolean = () => true) {
    await c.mailboxOpen(path);
    for await (const m of c.fetch('1:*', {
      uid: true,
      flags: true,
      envelope: true,
      internalDate: true,
      source: true,
    })) {
      if (pick(m.flags ?? new Set())) {
        return {
          uid: m.uid,
          subject: m.envelope?.subject ?? '',
          messageId: m.envelope?.messageId ?? '',
          flags: [...(m.flags ?? [])],
          internalDate: new Date(m.internalDate ?? 0),
          raw: m.source!,
        };
      }
    }
    throw new Error(`no suitable message in ${path}`);
  }

  it('passes after a complete run, every folder compared and nothing left over', async () => {
    const { code, report } = await verify();
    assert.equal(code, 0);
    assert.equal(report.verdict, 'passed');
    assert.equal(report.version, 1);
    const t = report.totals;
    assert.equal(t.source, 216);
    assert.equal(t.matched, 216);
    assert.equal(t.destination, 216);
    assert.equal(t.missing + t.notYetCopied + t.extra + t.flagDifferences + t.dateDifferences, 0);
    assert.equal(t.matchedByCheckpoint, 216, 'every pair found through the checkpoint UIDs');
    assert.equal(t.contentChecked, 0, 'normal mode reads no body');
    for (const a of report.accounts) {
      assert.ok(a.destinationLogin.ok && a.sourceLogin.ok);
      for (const f of a.folders) assert.equal(f.status, 'compared', `${a.account} ${f.source}`);
    }
    assert.equal(folder(report, KONTAKT, 'INBOX.Wysłane').destination, 'Sent');
  });

  it('passes deep verification, comparing the bytes of every pair; a sample reads a part', async () => {
    const deep = await verify('--deep');
    assert.equal(deep.code, 0);
    assert.equal(deep.report.totals.contentChecked, 216);
    assert.equal(deep.report.totals.contentDifferences, 0);
    assert.deepEqual(deep.report.mode, { kind: 'deep' });

    const sample = await verify('--deep-sample', '30');
    assert.equal(sample.code, 0);
    const checked = sample.report.totals.contentChecked;
    assert.ok(checked > 20 && checked < 120, `30% of 216 pairs, got ${checked}`);
    assert.deepEqual(sample.report.mode, { kind: 'sample', percent: 30, seed: 'test' });
  });

  it('names flags changed on the destination, without failing the verification', async () => {
    const target = await destination(KSIEGOWOSC, async (c) => {
      const m = await firstMessage(c, 'Faktury/2024', (flags) => !flags.has('\\Flagged'));
      await c.messageFlagsAdd(String(m.uid), ['\\Flagged'], { uid: true });
      return m;
    });
    const { code, report } = await verify();
    assert.equal(code, 0, 'a flag difference is not a loss');
    assert.equal(report.totals.flagDifferences, 1);
    const f = folder(report, KSIEGOWOSC, 'INBOX.Faktury.2024');
    assert.equal(f.flagDifferences.length, 1);
    const d = f.flagDifferences[0]!;
    assert.equal(d.destUid, target.uid);
    assert.deepEqual(d.onlyOnDestination, ['\\Flagged']);
    assert.deepEqual(d.onlyOnSource, []);
    assert.equal(d.changedOn, 'destination');
    assert.equal(d.source.subject, target.subject);
  });

  it('names a message deleted on the destination with its folder, UID, date, sender and subject', async () => {
    const gone = await destination(KONTAKT, async (c) => {
      const m = await firstMessage(c, 'Klienci');
      // STORE +FLAGS \Deleted, then UID EXPUNGE.
      await c.messageDelete(String(m.uid), { uid: true });
      return m;
    });
    const { code, report } = await verify();
    assert.equal(code, 1);
    assert.equal(report.verdict, 'failed');
    assert.equal(report.totals.missing, 1);
    const f = folder(report, KONTAKT, 'INBOX.Klienci');
    assert.equal(f.counts.source, f.counts.destination + 1);
    const m = f.missing[0]!;
    assert.equal(m.cause, 'deleted-on-destination');
    assert.equal(m.recordedDestUid, gone.uid);
    assert.equal(m.folder, 'INBOX.Klienci');
    assert.equal(m.subject, gone.subject);
    assert.equal(m.messageId, gone.messageId);
    assert.ok(m.from && m.from.includes('@'), `sender named: ${m.from}`);
    assert.ok(m.date, 'date named');
    assert.ok(m.uid > 0);
    assert.equal(
      folder(report, KSIEGOWOSC, 'INBOX.Faktury.2024').flagDifferences.length,
      1,
      'earlier finding kept',
    );
  });

  it('finds an altered body only in deep mode, when Message-ID and size are unchanged', async () => {
    const altered = await destination(SPRZEDAZ, async (c) => {
      const m = await firstMessage(c, 'Oferty');
      const raw = Buffer.from(m.raw);
      const body = raw.indexOf('\r\n\r\n') + 4;
      // Flip one letter of the body: same size, same headers, same identity.
      let i = raw.length - 1;
      while (i > body && !/[a-z]/.test(String.fromCharCode(raw[i]!))) i--;
      raw[i] = raw[i] === 0x78 ? 0x79 : 0x78;
      await c.messageDelete(String(m.uid), { uid: true });
      const res = await c.append(
        'Oferty',
        raw,
        m.flags.filter((f) => f !== '\\Recent'),
        m.internalDate,
      );
      assert.ok(res && res.uid, 'APPENDUID');
      return { ...m, newUid: res.uid! };
    });

    const normal = await verify();
    const f = folder(normal.report, SPRZEDAZ, 'INBOX.Oferty');
    assert.equal(f.counts.missing, 0, 'same identity: normal mode cannot tell');
    assert.equal(f.counts.matchedByIdentity, 1);

    const deep = await verify('--deep');
    assert.equal(deep.code, 1);
    assert.equal(deep.report.totals.contentDifferences, 1);
    const d = folder(deep.report, SPRZEDAZ, 'INBOX.Oferty').contentDifferences[0]!;
    assert.equal(d.destUid, altered.newUid);
    assert.equal(d.source.subject, altered.subject);
    assert.equal(d.source.messageId, altered.messageId);
    assert.notEqual(d.sourceSha256, d.destSha256);
  });

  it('shows a message added on the source after the run as not yet copied, not as missing', async () => {
    const a = env.accounts.find((x) => x.user === REKRUTACJA)!;
    const subject = AFTER_RUN.subject;
    const client = await connectPlain(env.src, a.user, a.password);
    try {
      await client.append('INBOX', AFTER_RUN.raw, [], AFTER_RUN.internalDate);
    } finally {
      await client.logout();
    }
    const { code, report } = await verify();
    assert.equal(code, 1);
    const f = folder(report, REKRUTACJA, 'INBOX');
    assert.equal(f.counts.missing, 0);
    assert.equal(f.notYetCopied.length, 1);
    assert.equal(f.notYetCopied[0]!.subject, subject);
    assert.equal(f.notYetCopied[0]!.from, 'Jan Nowak <jan.nowak@poczta.example>');
    assert.equal(report.totals.notYetCopied, 1);
    assert.equal(report.totals.missing, 1, 'only the deleted message is a loss');
  });

  it('matches a copy another tool made by its identity, and names a stranger\u2019s message by its Message-ID', async () => {
    // The destination is read without header fields: only these two, named by no checkpoint row,
    // need theirs (verify-folder-group.ts).
    await destination(REKRUTACJA, async (c) => {
      await c.append('INBOX', AFTER_RUN.raw, [], AFTER_RUN.internalDate);
      const stranger = `From: Ktos Obcy <ktos@obcy.example>\r\nTo: ${REKRUTACJA}\r\nSubject: Oferta spoza migracji\r\nDate: Thu, 26 Nov 2026 10:00:00 +0100\r\nMessage-ID: <stranger-1@obcy.example>\r\n\r\nDzien dobry.\r\n`;
      await c.append('INBOX', Buffer.from(stranger), ['\\Seen'], new Date('2026-11-26T09:00:00Z'));
    });
    const { report } = await verify();
    const f = folder(report, REKRUTACJA, 'INBOX');
    assert.equal(f.notYetCopied.length, 0, 'the copy another tool made is found');
    assert.equal(f.counts.matchedByIdentity, 1);
    assert.equal(f.counts.matched, f.counts.matchedByCheckpoint + 1);
    assert.equal(f.counts.missing, 0);
    assert.deepEqual(
      f.extra.map((x) => [x.cause, x.messageId, x.subject]),
      [['not-from-source', '<stranger-1@obcy.example>', 'Oferta spoza migracji']],
    );
  });

  it('names a destination folder that is missing, with every message of it', async () => {
    await destination(KSIEGOWOSC, (c) => c.mailboxDelete('Faktury/2023/Korekty'));
    const { code, report } = await verify();
    assert.equal(code, 1);
    const f = folder(report, KSIEGOWOSC, 'INBOX.Faktury.2023.Korekty');
    assert.equal(f.status, 'destination-missing');
    assert.equal(f.destination, 'Faktury/2023/Korekty');
    assert.equal(f.counts.missing, 2);
    assert.ok(f.missing.every((m) => m.cause === 'destination-folder-missing' && m.subject));
    assert.equal(report.totals.foldersMissing, 1);
    assert.equal(report.totals.missing, 3);
  });

  it('says the same, finding for finding, when it reads each folder a slice of a few messages at a time', async () => {
    // By now the destination has a changed flag, a deleted message, an altered body, a copy made
    // by another tool, a stranger and a missing folder; the source a message added after the run.
    const args = ['verify', env.planPath, '--state-dir', env.stateDir, '--json', '--deep'];
    const whole = await runCommandInProcess(args);
    // The source's reads by UID ranges, each with how many messages it found.
    const sliceReads: number[] = [];
    const base = imapWiring();
    const counted: typeof base = {
      ...base,
      readers: async (...a) => {
        const of = await base.readers(...a);
        return (account) => ({
          ...of(account),
          source: async () => {
            const r = await of(account).source();
            const scanUids = r.scanUids!.bind(r);
            r.scanUids = async (path, ranges, opts) => {
              const read = await scanUids(path, ranges, opts);
              if ('messages' in read) sliceReads.push(read.messages.length);
              return read;
            };
            return r;
          },
        });
      },
    };
    const sliced = await runCommandInProcess(args, { verifySliceMessages: 3, wiring: counted });
    const accounts = (r: { stdout: string }) => parseVerifyReport(r.stdout).accounts;
    assert.equal(sliced.code, whole.code);
    assert.deepEqual(accounts(sliced), accounts(whole));
    assert.ok(sliceReads.length > 20, `${sliceReads.length} slices read`);
    assert.ok(Math.max(...sliceReads) <= 6, `slices of 3 rows, and what arrived since: ${sliceReads}`);
    const r = parseVerifyReport(sliced.stdout);
    assert.equal(r.totals.contentDifferences, 1);
    assert.equal(r.totals.missing, 3);
    assert.equal(r.totals.notYetCopied, 0);
    assert.equal(r.totals.extra, 1, 'the stranger');
    assert.equal(r.totals.matchedByIdentity, 2, 'the altered copy and the copy another tool made');
  });

  it('names an account that cannot log in on the destination and an address with no destination', async () => {
    env.writePlan(
      [
        'report: { lang: pl }',
        'addresses:',
        `  - { address: ${KONTAKT}, kind: mailbox }`,
        `  - { address: biuro@acme.example, kind: alias, target: ${KONTAKT} }`,
        '  - { address: faktury@acme.example, kind: alias }',
      ].join('\n'),
    );
    const secret = join(env.dir, `secrets/dst-${REKRUTACJA}.txt`);
    const good = readFileSync(secret);
    writeFileSync(secret, 'wrong-password\n');
    try {
      const { code, report } = await verify('--format', 'html,md,json');
      assert.equal(code, 1);
      assert.equal(report.lang, 'pl', 'language from the plan');
      const r = account(report, REKRUTACJA);
      assert.equal(r.destinationLogin.ok, false);
      assert.match(r.destinationLogin.ok ? '' : r.destinationLogin.error, /rekrutacja@acme\.example/);
      assert.equal(report.totals.accountsFailed, 1);
      assert.deepEqual(
        report.addresses.map((a) => [a.address, a.destination]),
        [
          [KONTAKT, KONTAKT],
          ['biuro@acme.example', KONTAKT],
          ['faktury@acme.example', null],
        ],
      );
      const reports = join(env.stateDir, 'reports');
      const files = readdirSync(reports).sort();
      const html = files.filter((f) => f.endsWith('.html')).pop()!;
      const page = readFileSync(join(reports, html), 'utf8');
      assert.match(page, /NIEZALICZONA/);
      assert.match(page, /Faktury\/2023\/Korekty/);
      assert.doesNotMatch(page, /<script|https?:\/\//, 'self-contained');
      const md = readFileSync(join(reports, html.replace(/\.html$/, '.md')), 'utf8');
      assert.match(md, /Brakuj\u0105ce wiadomo\u015bci/);
    } finally {
      writeFileSync(secret, good);
      env.writePlan();
    }
  });
});
