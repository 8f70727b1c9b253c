/**
 * The per-account append rate caps: each batch reserves the time its size costs at the capped rate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimit } from '../../../src/engine/rate-limit.js';

describe('RateLimit', () => {
  it('is absent without caps', () => {
    assert.equal(RateLimit.from({}), undefined);
  });

  it('spaces batches by the slower of the message and byte caps, without a burst', () => {
    let now = 1000;
    const rate = RateLimit.from({ maxMessagesPerSecond: 10, maxBytesPerSecond: 1000 }, () => now)!;
    assert.equal(rate.reserve(5, 100), 0, 'the first batch goes at once');
    // 5 messages at 10/s = 500 ms; 100 bytes at 1000 B/s = 100 ms: the message cap rules.
    assert.equal(rate.reserve(1, 2000), 500);
    // Then 2000 bytes at 1000 B/s = 2 s more.
    assert.equal(rate.reserve(1, 0), 2500);
    now += 5000;
    assert.equal(rate.reserve(1, 0), 0, 'idle time is not saved up');
  });

  it('take() waits out the reserved time and returns early when the run stops', async () => {
    const rate = RateLimit.from({ maxMessagesPerSecond: 20 })!;
    const controller = new AbortController();
    await rate.take(2, 0, controller.signal); // reserves 100 ms
    const started = Date.now();
    await rate.take(1, 0, controller.signal);
    assert.ok(Date.now() - started >= 90);
    const waiting = rate.take(100, 0, controller.signal); // 50 ms from now, then 5 s reserved
    await rate.take(1, 0, AbortSignal.abort()); // an aborted signal never waits
    controller.abort();
    await waiting;
  });
});
