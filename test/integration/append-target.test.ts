/**
 * Opening destination folders for appending against real Dovecot (src/imap/append-target.ts): the
 * first folder of a connection is selected, the others are asked by STATUS alone (one round trip,
 * no LIST, no SELECT), and what STATUS says is what a SELECT would have said: UIDNEXT (the bound
 * in-doubt batches are resolved from), UIDVALIDITY, the message count and PERMANENTFLAGS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ImapFlow } from 'imapflow';
import { appendTargets, imapflowTargets } from '../../src/imap/append-target.js';
import { FolderControl } from '../../src/imap/folder-control.js';
import type { OpenedFolder } from '../../src/core/folders.js';
import { connectPlain, plainOptions, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { createFaultProxy } from '../harness/fault-proxy.js';

const USER = { user: 'anna@firma.pl', password: 'secret-Pa55' };
const FOLDERS = ['Faktury/2024', 'Faktury/2025', 'Wys\u0142ane'];

/** A client whose commands are recorded (imapflow logs each line it sends at debug level). */
async function recordingClient(server: DovecotServer, sent: string[]): Promise<ImapFlow> {
  const quiet = () => {};
  const client = new ImapFlow({
    host: server.host,
    port: server.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: USER.user, pass: USER.password },
    disableAutoIdle: true,
    logger: {
      debug: (o: { src?: string; msg?: string }) => {
        const command = o.src === 'c' ? o.msg?.split(' ')[1] : undefined;
        if (command) sent.push(command.toUpperCase());
      },
      trace: quiet,
      info: quiet,
      warn: quiet,
      error: quiet,
    },
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Asserts that what each of FOLDERS was opened with is what a SELECT on another connection says. */
async function sameAsSelect(server: DovecotServer, opened: readonly OpenedFolder[]): Promise<void> {
  const check = await connectPlain(server, USER.user, USER.password);
  try {
    for (const [i, f] of FOLDERS.entries()) {
      const box = await check.mailboxOpen(f);
      const o = opened[i]!;
      assert.equal(o.status.messages, i + 1, f);
      assert.equal(o.status.uidNext, box.uidNext, `${f}: UIDNEXT`);
      assert.equal(o.status.uidValidity, Number(box.uidValidity), `${f}: UIDVALIDITY`);
      assert.deepEqual(o.permanentFlags, [...(box.permanentFlags ?? [])], `${f}: PERMANENTFLAGS`);
    }
  } finally {
    await check.logout();
  }
}

describe('opening destination folders for appending', () => {
  let server: DovecotServer;

  before(async () => {
    server = await startDovecot({ flavor: 'destination', users: [USER] });
    const setup = await connectPlain(server, USER.user, USER.password);
    for (const [i, f] of FOLDERS.entries()) {
      await setup.mailboxCreate(f);
      for (let m = 0; m <= i; m++) {
        await setup.append(f, `Subject: ${f} ${m}\r\n\r\nbody\r\n`, ['\\Seen']);
      }
    }
    await setup.logout();
  });

  after(async () => {
    await server?.stop();
  });

  it('selects the first folder only, and STATUS says of the others what SELECT would', async () => {
    const sent: string[] = [];
    const client = await recordingClient(server, sent);
    const open = appendTargets(imapflowTargets(client));
    const opened: OpenedFolder[] = [];
    for (const f of FOLDERS) opened.push(await open(f));
    const commands = sent.filter((c) => ['SELECT', 'STATUS', 'LIST', 'EXAMINE'].includes(c));
    assert.deepEqual(commands, ['LIST', 'SELECT', 'STATUS', 'STATUS'], 'one SELECT (and its LIST)');

    try {
      await sameAsSelect(server, opened);
    } finally {
      await client.logout();
    }
  });

  it('selects anew the folder that is selected (no STATUS of the selected folder)', async () => {
    const sent: string[] = [];
    const client = await recordingClient(server, sent);
    const open = appendTargets(imapflowTargets(client));
    try {
      await open(FOLDERS[0]!);
      await open(FOLDERS[0]!);
      assert.equal(sent.filter((c) => c === 'STATUS').length, 0);
      // imapflow does not select a folder again that is selected: no second SELECT either.
      assert.ok(sent.filter((c) => c === 'SELECT').length >= 1);
      await open(FOLDERS[1]!);
      assert.equal(sent.filter((c) => c === 'STATUS').length, 1, 'another folder: STATUS');
    } finally {
      await client.logout();
    }
  });

  it("mailshift's own control connection opens them the same way, in one command each", async () => {
    const proxy = await createFaultProxy({ target: { host: server.host, port: server.port } });
    const control = await FolderControl.open(plainOptions(proxy, USER));
    const open = (path: string) => control.openForAppend(path);
    const opened: OpenedFolder[] = [];
    try {
      for (const f of FOLDERS) opened.push(await open(f));
      await open(FOLDERS[0]!); // the selected folder: selected anew, never asked by STATUS
    } finally {
      await control.close();
      await proxy.stop();
    }
    const verbs = proxy.commands.map((c) => c.text.split(' ')[0]!.toUpperCase());
    assert.deepEqual(
      verbs.filter((v) => v !== 'AUTHENTICATE' && v !== 'LOGIN' && v !== 'LOGOUT'),
      ['SELECT', 'STATUS', 'STATUS', 'SELECT'],
      JSON.stringify(proxy.commands),
    );
    await sameAsSelect(server, opened);
  });
});
