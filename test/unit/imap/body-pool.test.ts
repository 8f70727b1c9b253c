/**
 * The body pool, without a server: bodies in pieces that add up to their size, blocks reused once
 * given back (and only then), the cap respected, and the response parser filling pieces byte-exact
 * however the socket cuts the stream.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BLOCK, BodyPool } from '../../../src/imap/body-pool.js';
import { bodyBuffer, bodyChunks, bodyLength, type Body } from '../../../src/core/body.js';
import { ImapResponseParser } from '../../../src/imap/imap-response-parser.js';

const MiB = 1024 * 1024;

/** Fills a body with a pattern unique to `seed`, piece after piece. */
function fill(body: Body, seed: number): void {
  let i = 0;
  for (const piece of bodyChunks(body)) for (let k = 0; k < piece.length; k++) piece[k] = (seed + i++) & 0xff;
}

function holds(body: Body, seed: number): boolean {
  return bodyBuffer(body).every((b, i) => b === ((seed + i) & 0xff));
}

describe('body pool', () => {
  it('hands out pieces that add up to the size asked, in few pieces', () => {
    const pool = new BodyPool(8 * MiB);
    for (const size of [BLOCK / 2, BLOCK, BLOCK + 1, 20_500, 3 * MiB + 7]) {
      const body = pool.take(size);
      assert.equal(bodyLength(body), size, `size ${size}`);
      // Fresh slabs hand out neighbouring blocks: one piece per 1 MiB slab touched, not per block.
      assert.ok(bodyChunks(body).length <= Math.ceil(size / MiB) + 1, `pieces of ${size}`);
    }
    // Small bodies are plain buffers, never pooled.
    const small = pool.take(100);
    assert.ok(Buffer.isBuffer(small) && small.length === 100);
  });

  it('keeps every body intact while others are taken and given back', () => {
    const pool = new BodyPool(4 * MiB);
    const live = new Map<number, Body>();
    let seed = 0;
    for (let round = 0; round < 300; round++) {
      const size = 2048 + ((round * 7919) % 200_000);
      const body = pool.take(size);
      fill(body, ++seed);
      live.set(seed, body);
      if (live.size > 12) {
        const [oldest, b] = live.entries().next().value as [number, Body];
        assert.ok(holds(b, oldest), `body ${oldest} was overwritten while lent`);
        pool.give([b]);
        live.delete(oldest);
      }
    }
    for (const [s, b] of live) assert.ok(holds(b, s), `body ${s} was overwritten while lent`);
    // The churn ran within the pool's own memory: 4 MiB * 1.25 + 4 MiB of slabs at most.
    assert.ok(pool.bytes <= 9 * MiB, `pool grew to ${pool.bytes}`);
  });

  it('reuses a block given back, and ignores a second give of it', () => {
    const pool = new BodyPool(1 * MiB);
    const a = pool.take(3 * BLOCK);
    const grown = pool.bytes;
    pool.give([a]);
    pool.give([a]); // twice: must not hand the same block to two bodies
    const b = pool.take(3 * BLOCK);
    const c = pool.take(3 * BLOCK);
    fill(b, 1);
    fill(c, 2);
    assert.ok(holds(b, 1) && holds(c, 2), 'two bodies share memory after a double give');
    assert.equal(pool.bytes, grown, 'a given-back block was not reused');
    // Buffers the pool did not lend are ignored.
    pool.give([Buffer.alloc(BLOCK), [Buffer.alloc(BLOCK)]]);
  });

  it('falls back to ordinary buffers beyond its cap instead of growing', () => {
    const pool = new BodyPool(1 * MiB); // cap: 2 + 4 slabs of 1 MiB
    const held = [pool.take(5 * MiB)];
    const over = pool.take(2 * MiB);
    assert.ok(Buffer.isBuffer(over) && over.length === 2 * MiB);
    assert.ok(pool.bytes <= 6 * MiB, `pool grew to ${pool.bytes}`);
    pool.give(held);
    assert.equal(bodyChunks(pool.take(2 * MiB)).length >= 1, true);
  });

  it('lets the response parser fill pieces byte-exact across any chunking', () => {
    const payload = Buffer.alloc(5 * BLOCK + 123);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    const wire = Buffer.concat([
      Buffer.from(`* 1 FETCH (UID 9 BODY[] {${payload.length}}\r\n`),
      payload,
      Buffer.from(')\r\nA1 OK done\r\n'),
    ]);
    for (const cut of [1, 100, BLOCK - 1, BLOCK + 1, wire.length]) {
      const pool = new BodyPool(1 * MiB);
      // A fragmented pool: the body's blocks are not neighbours, so it arrives in several pieces.
      const spacers = [pool.take(BLOCK), pool.take(BLOCK), pool.take(BLOCK)];
      pool.give([spacers[0]!, spacers[2]!]);
      const parser = new ImapResponseParser((n) => pool.take(n));
      const out = [];
      for (let i = 0; i < wire.length; i += cut) out.push(...parser.push(wire.subarray(i, i + cut)));
      const fetch = out[0];
      assert.ok(fetch?.kind === 'untagged' && fetch.literals?.length === 1, `cut ${cut}`);
      const body = fetch.literals[0]!;
      assert.ok(bodyChunks(body).length > 1, `cut ${cut}: expected pieces`);
      assert.ok(bodyBuffer(body).equals(payload), `cut ${cut}: body differs`);
      assert.equal(out[1]?.kind, 'tagged');
    }
  });
});
