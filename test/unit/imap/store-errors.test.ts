/**
 * Which failures are retried, and after how long: lost and stalled connections, throttling as
 * each server words it, failed reconnects; never a refused login, a TLS failure or a full mailbox.
 * Every failure below the store seam becomes one StoreError whose kind decides.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Endpoint } from '../../../src/core/endpoint.js';
import { isStoreError, StoreError, transientOf } from '../../../src/core/errors.js';
import {
  connectError,
  connectionLost,
  fromImapflow,
  isAppendThrottling,
  refusalError,
  suggestedBackoff,
} from '../../../src/imap/store-errors.js';

const imapflowNo = (code: string, text: string) =>
  Object.assign(new Error('Command failed'), {
    responseStatus: 'NO',
    responseText: text,
    // FETCH errors carry the code only in the parsed response.
    response: {
      tag: 'A',
      command: 'NO',
      attributes: [{ type: 'ATOM', value: '', section: [{ type: 'ATOM', value: code }] }],
    },
  });

const classify = (err: unknown) => transientOf(fromImapflow(err, 'FETCH'));

const endpoint: Endpoint = {
  side: 'destination',
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
  secret: async () => ({ kind: 'password', value: 'x' }),
};

describe('store errors', () => {
  it('retries lost, reset and stalled connections', () => {
    for (const code of ['NoConnection', 'ECONNRESET', 'ETIMEOUT', 'EConnectionClosed']) {
      assert.deepEqual(classify(Object.assign(new Error('x'), { code })), { kind: 'connection' }, code);
    }
    assert.deepEqual(transientOf(connectionLost('STATUS INBOX')), { kind: 'connection' });
    assert.deepEqual(transientOf(new StoreError('gone', { kind: 'connection' })), { kind: 'connection' });
    // A connection that imapflow found unusable after a failure is lost, whatever the error said.
    assert.equal(fromImapflow(new Error('odd'), 'LIST', false).kind, 'connection');
  });

  it('waits as told by throttling replies, in every wording', () => {
    assert.deepEqual(classify(imapflowNo('LIMIT', 'Too many commands')), { kind: 'throttled' });
    assert.deepEqual(
      transientOf(
        refusalError('APPEND', {
          status: 'NO',
          text: 'Suggested Backoff Time: 700 milliseconds',
          code: 'THROTTLED',
        }),
      ),
      { kind: 'throttled', waitMs: 700 },
    );
    assert.equal(
      transientOf(refusalError('APPEND', { status: 'NO', text: 'later', code: 'UNAVAILABLE' }))?.kind,
      'throttled',
    );
    assert.equal(
      transientOf(
        connectError(
          endpoint,
          new StoreError('h refused the connection: Too many connections', {
            kind: 'connection',
            responseCode: 'BYE',
          }),
        ),
      )?.kind,
      'throttled',
    );
    // imapflow already waited 300 of Microsoft 365's 1000 ms.
    const ms365 = Object.assign(new Error('throttled'), {
      code: 'ETHROTTLE',
      throttleReset: 1000,
      throttleWaited: 300,
    });
    assert.deepEqual(classify(ms365), { kind: 'throttled', waitMs: 700 });
    assert.equal(
      suggestedBackoff('BAD Request is throttled. Suggested Backoff Time: 92415 milliseconds'),
      92415,
    );
  });

  it('retries a reconnect that failed on the way, but not a login, TLS or DNS failure', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    assert.deepEqual(transientOf(connectError(endpoint, refused)), { kind: 'connection' });
    const failures = {
      AUTH_FAILED: Object.assign(new Error('Authentication failed'), { authenticationFailed: true }),
      CONN_TLS: Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
      CONN_STARTTLS: new Error('Server does not support STARTTLS'),
      CONN_UNKNOWN_HOST: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }),
    };
    for (const [code, err] of Object.entries(failures)) {
      const classified = connectError(endpoint, err);
      assert.equal(classified.code, code, code);
      assert.equal(transientOf(classified), undefined, code);
      assert.match(classified.message, /imap\.example/, 'names the server');
    }
  });

  it('does not retry a full mailbox or a refused message', () => {
    const full = refusalError('APPEND', { status: 'NO', text: 'Quota exceeded', code: 'OVERQUOTA' });
    assert.equal(transientOf(full), undefined);
    assert.equal(isStoreError(full, 'overquota'), true);
    assert.equal(
      isStoreError(fromImapflow(imapflowNo('OVERQUOTA', 'Quota exceeded'), 'APPEND'), 'overquota'),
      true,
    );
    const refusal = fromImapflow(imapflowNo('CANNOT', 'Invalid mailbox name'), 'CREATE');
    assert.equal(transientOf(refusal), undefined);
    assert.equal(refusal.kind, 'refused');
    assert.equal(refusal.scope, 'folder', "a refused folder is the folder loop's concern");
    assert.equal(refusal.serverText, 'Invalid mailbox name');
  });
});

describe('a reply to an APPEND: one message refused, or the account throttled', () => {
  it("Dovecot's NO [LIMIT] for a message over its size limit refuses that message only", () => {
    assert.equal(isAppendThrottling('LIMIT', 'Mail size is larger than the maximum size allowed'), false);
  });
  it('throttling words or a suggested backoff make it a wait for the account, with or without a code', () => {
    assert.equal(isAppendThrottling('LIMIT', 'Too many connections'), true);
    assert.equal(
      isAppendThrottling(undefined, 'Request is throttled. Suggested Backoff Time: 300 milliseconds'),
      true,
    );
    assert.equal(isAppendThrottling('THROTTLED', 'slow down'), true);
    assert.equal(isAppendThrottling('UNAVAILABLE', 'try later'), true);
  });
});
