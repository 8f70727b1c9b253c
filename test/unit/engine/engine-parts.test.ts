/**
 * Pure parts of the engine: batching by count and bytes, the byte budget, multiset identity
 * matching, flag filtering by PERMANENTFLAGS, and the repairs of refused messages (the connection
 * caps are in test/unit/core/connection-caps.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeBatches } from '../../../src/core/batches.js';
import { ByteBudget } from '../../../src/engine/byte-budget.js';
import { keepable } from '../../../src/core/flags.js';
import { IdentityPool } from '../../../src/core/identity-pool.js';
import { hasBareLf, normalizeCrlf, repairForRetry } from '../../../src/core/repair.js';

describe('makeBatches', () => {
  const items = (sizes: number[]) => sizes.map((size, i) => ({ i, size }));

  it('caps batches by count', () => {
    assert.deepEqual(
      makeBatches(items([1, 1, 1, 1, 1]), 2, 100).map((b) => b.map((x) => x.i)),
      [[0, 1], [2, 3], [4]],
    );
  });

  it('caps batches by bytes, and a message larger than the cap travels alone', () => {
    assert.deepEqual(
      makeBatches(items([40, 40, 40, 500, 10]), 10, 100).map((b) => b.map((x) => x.i)),
      [[0, 1], [2], [3], [4]],
    );
  });

  it('keeps order and loses nothing', () => {
    const input = items(Array.from({ length: 37 }, (_, i) => (i * 7919) % 50));
    assert.deepEqual(makeBatches(input, 5, 120).flat(), input);
  });
});

describe('ByteBudget', () => {
  it('makes a second holder wait until bytes are released', async () => {
    const b = new ByteBudget(100);
    await b.acquire(80);
    let second = false;
    const p = b.acquire(30).then(() => (second = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(second, false);
    b.release(80);
    await p;
    assert.equal(second, true);
    assert.equal(b.inUse, 30);
  });

  it('admits a message larger than the whole budget when nothing else is held', async () => {
    const b = new ByteBudget(100);
    await b.acquire(25_000_000);
    assert.equal(b.inUse, 25_000_000);
    let other = false;
    const p = b.acquire(1).then(() => (other = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(other, false, 'nothing else while the oversized message is held');
    b.release(25_000_000);
    await p;
    assert.equal(other, true);
  });
});

describe('IdentityPool', () => {
  it('matches an exact duplicate only as many times as the destination holds it', () => {
    const pool = new IdentityPool([
      { uid: 7, identity: 'mid:<a>:10' },
      { uid: 3, identity: 'mid:<a>:10' },
      { uid: 5, identity: 'mid:<b>:20' },
    ]);
    assert.equal(pool.take('mid:<a>:10'), 3);
    assert.equal(pool.take('mid:<a>:10'), 7);
    assert.equal(pool.take('mid:<a>:10'), undefined);
    assert.equal(pool.take('mid:<b>:21'), undefined, 'same Message-ID, other size: another message');
    assert.equal(pool.size, 1);
  });
});

describe('keepable', () => {
  it('keeps every keyword when PERMANENTFLAGS has \\*', () => {
    assert.deepEqual(keepable(['\\Seen', '$label1', '\\Recent'], ['\\Seen', '\\*']), {
      kept: ['\\Seen', '$label1'],
      dropped: [],
    });
  });

  it('names the flags a folder would drop', () => {
    assert.deepEqual(keepable(['\\Seen', '$Forwarded', 'NonJunk'], ['\\Seen', '$Forwarded']), {
      kept: ['\\Seen', '$Forwarded'],
      dropped: ['NonJunk'],
    });
  });
});

describe('repairs', () => {
  it('normalises bare LF to CRLF without doubling existing CRLF', () => {
    const raw = Buffer.from('A: b\nC: d\r\n\r\nbody\n');
    assert.equal(hasBareLf(raw), true);
    assert.equal(normalizeCrlf(raw).toString(), 'A: b\r\nC: d\r\n\r\nbody\r\n');
    assert.equal(hasBareLf(normalizeCrlf(raw)), false);
  });

  it('repairs only what the policy allows', () => {
    const raw = Buffer.from('A: b\n\nx\0y\n');
    assert.equal(repairForRetry(raw, { bareLf: 'skip', nulBytes: 'skip' }), undefined);
    const fixed = repairForRetry(raw, { bareLf: 'repair', nulBytes: 'repair' });
    assert.equal(fixed?.raw.toString(), 'A: b\r\n\r\nxy\r\n');
    assert.match(fixed?.how ?? '', /CRLF.*NUL/);
    assert.equal(
      repairForRetry(Buffer.from('A: b\r\n\r\nok\r\n'), { bareLf: 'repair', nulBytes: 'repair' }),
      undefined,
    );
  });
});
