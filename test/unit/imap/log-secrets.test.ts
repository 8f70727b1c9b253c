/**
 * At debug level imapflow writes what the server says to the run log. A server that echoes the
 * password (or the token, or the base64 of the AUTHENTICATE response) in a refusal must not put it
 * in the log file: the logger handed to imapflow (imap/connect.ts) scrubs the account's secret.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Endpoint, Secret } from '../../../src/core/endpoint.js';
import { imapflowOptions } from '../../../src/imap/connect.js';
import { createFileLogger } from '../../../src/shared/logger.js';
import { scrubText, secretForms } from '../../../src/shared/secret-scrub.js';

const PASSWORD = 'Pa55-w0rd-Echo';
const endpoint: Endpoint = {
  side: 'source',
  server: {
    host: 'imap.example',
    port: 993,
    security: 'tls',
    tlsVerify: true,
    maxConnections: 10,
    maxConnectionsTotal: 40,
    timeoutMs: 1000,
  },
  user: 'kontakt@acme.example',
  secret: async () => ({ kind: 'password', value: PASSWORD }),
};

const dir = mkdtempSync(join(tmpdir(), 'mailshift-log-secrets-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** imapflow's logger for the secret, at debug level, writing to a fresh log file. */
function imapLog(name: string, secret: Secret) {
  const path = join(dir, `${name}.log`);
  const options = imapflowOptions(endpoint, createFileLogger(path, 'debug'), secret) as unknown as {
    logger: Record<'debug' | 'error' | 'info', (entry: unknown) => void>;
  };
  return { log: options.logger, read: () => readFileSync(path, 'utf8') };
}

describe('no secret of the account in the debug log', () => {
  it('a NO echoing the password, as imapflow logs it (src s), is written without it', () => {
    const { log, read } = imapLog('echo', { kind: 'password', value: PASSWORD });
    log.debug({
      src: 's',
      msg: `A2 NO [AUTHENTICATIONFAILED] wrong password ${PASSWORD} for kontakt`,
      cid: 'x',
    });
    const err = Object.assign(new Error(`Command failed: ${PASSWORD}`), { responseText: `bad ${PASSWORD}` });
    log.error({ msg: 'login failed', err });
    const text = read();
    assert.match(text, /AUTHENTICATIONFAILED\] wrong password \[redacted\] for kontakt/, text);
    assert.match(text, /Command failed: \[redacted\]/, 'the error is logged, scrubbed');
    assert.equal(text.includes(PASSWORD), false, text);
    assert.match(text, /"side":"source","user":"kontakt@acme\.example"/, 'side and user still bound');
  });

  it('an echo of the base64 SASL PLAIN response, or of a token, is scrubbed too', () => {
    const plain = Buffer.from(`\0kontakt@acme.example\0${PASSWORD}`).toString('base64');
    const { log, read } = imapLog('b64', { kind: 'password', value: PASSWORD });
    log.debug({ src: 's', msg: `A1 NO [AUTHENTICATIONFAILED] invalid response ${plain}` });
    assert.equal(read().includes(plain), false, read());
    const token = 'ya29.token-value-for-test';
    const t = imapLog('token', { kind: 'token', value: token });
    t.log.info({ src: 's', msg: `A1 NO token ${token} expired` });
    assert.equal(t.read().includes(token), false, t.read());
    assert.match(t.read(), /token \[redacted\] expired/);
  });

  it('scrubText replaces every form, longest first', () => {
    const forms = secretForms('u', 'abc');
    assert.equal(scrubText('x abc y abcabc', forms), 'x [redacted] y [redacted][redacted]');
    assert.equal(scrubText('nothing here', forms), 'nothing here');
    assert.deepEqual(secretForms('u', ''), []);
  });
});
