/**
 * Which failures are retried, and after how long: lost and stalled connections, throttling as
 * each server words it, failed reconnects; never a refused login, a TLS failure or a full mailbox.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppendError } from '../../../src/imap/append-error.js';
import {
  classifyTransient,
  connectionLost,
  isOverQuota,
  suggestedBackoff,
} from '../../../src/imap/errors.js';
import { MailshiftError } from '../../../src/core/errors.js';

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

describe('classifyTransient', () => {
  it('retries lost, reset and stalled connections', () => {
    for (const code of ['NoConnection', 'ECONNRESET', 'ETIMEOUT', 'EConnectionClosed']) {
      assert.deepEqual(
        classifyTransient(Object.assign(new Error('x'), { code })),
        { kind: 'connection' },
        code,
      );
    }
    assert.deepEqual(classifyTransient(connectionLost('STATUS INBOX')), { kind: 'connection' });
    assert.deepEqual(classifyTransient(new AppendError('gone', { kind: 'connection' })), {
      kind: 'connection',
    });
  });

  it('waits as told by throttling replies, in every wording', () => {
    assert.deepEqual(classifyTransient(imapflowNo('LIMIT', 'Too many commands')), {
      kind: 'throttled',
      waitMs: undefined,
    });
    assert.deepEqual(
      classifyTransient(
        new AppendError('x: [THROTTLED] Suggested Backoff Time: 700 milliseconds', { kind: 'throttled' }),
      ),
      { kind: 'throttled', waitMs: 700 },
    );
    assert.equal(
      classifyTransient(new AppendError('x: [UNAVAILABLE] later', { kind: 'unavailable' }))?.kind,
      'throttled',
    );
    assert.equal(
      classifyTransient(
        new AppendError('h refused the connection: Too many connections', {
          kind: 'connection',
          code: 'BYE',
        }),
      )?.kind,
      'throttled',
    );
    // imapflow already waited 300 of Microsoft 365's 1000 ms.
    const ms365 = Object.assign(new Error('throttled'), {
      code: 'ETHROTTLE',
      throttleReset: 1000,
      throttleWaited: 300,
    });
    assert.deepEqual(classifyTransient(ms365), { kind: 'throttled', waitMs: 700 });
    assert.equal(
      suggestedBackoff('BAD Request is throttled. Suggested Backoff Time: 92415 milliseconds'),
      92415,
    );
  });

  it('retries a reconnect that failed on the way, but not a login, TLS or DNS failure', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const conn = (code: string) => new MailshiftError('x', { code, scope: 'account', cause: refused });
    assert.deepEqual(classifyTransient(conn('CONN_FAILED')), { kind: 'connection' });
    for (const code of ['AUTH_FAILED', 'CONN_TLS', 'CONN_STARTTLS', 'CONN_UNKNOWN_HOST']) {
      assert.equal(classifyTransient(conn(code)), undefined, code);
    }
  });

  it('does not retry a full mailbox or a refused message', () => {
    const full = new AppendError('x: [OVERQUOTA] Quota exceeded', { kind: 'overquota', code: 'OVERQUOTA' });
    assert.equal(classifyTransient(full), undefined);
    assert.equal(isOverQuota(full), true);
    assert.equal(isOverQuota(imapflowNo('OVERQUOTA', 'Quota exceeded')), true);
    assert.equal(classifyTransient(imapflowNo('CANNOT', 'Invalid mailbox name')), undefined);
  });
});
