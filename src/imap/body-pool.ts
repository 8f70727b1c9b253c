/**
 * Memory for message bodies, reused instead of left to the garbage collector.
 *
 * Why: a body lives from its FETCH to its APPEND's reply, a fraction of a second. Left to V8, dead
 * bodies are freed only once external memory has grown by ~64 MiB since the last collection, so
 * they cost as much memory again as the live ones (peak RSS ~290 MiB with a 64 MiB byte budget).
 * Exact-size buffers cannot be reused well either: sizes vary from 4 KB to 25 MB.
 *
 * So a body is held in fixed-size blocks carved from 1 MiB slabs: any block serves any message, a
 * block handed back is reused by the next FETCH at once, and the pool never holds more than the
 * byte budget plus a little slack. A message smaller than a block's half stays with Buffer's own
 * small-buffer pool; when the pool is exhausted (bodies that were never handed back after a
 * failure), messages get ordinary buffers, which costs memory, never correctness.
 */

import type { Body } from '../core/body.js';

/** 4 KiB: about 2 KiB unused per message on average. */
export const BLOCK = 4 * 1024;
const SLAB = 1024 * 1024;
const BLOCKS_PER_SLAB = SLAB / BLOCK;

interface Slab {
  blocks: Buffer[];
  /** 1 while the block is lent. */
  lent: Uint8Array;
}

export class BodyPool {
  private readonly slabs = new Map<ArrayBufferLike, Slab>();
  private readonly free: Buffer[] = [];
  private readonly maxSlabs: number;

  /**
   * @param budget the byte budget of bodies in flight; the pool grows to at most 1.25 times it
   *   plus 4 MiB (the unused ends of blocks), in 1 MiB slabs, as needed.
   */
  constructor(budget: number) {
    this.maxSlabs = Math.ceil((budget * 1.25) / SLAB) + 4;
  }

  /** Room for a body of `size` bytes: pieces whose lengths add up to `size`, uninitialised. */
  take(size: number): Body {
    if (size < BLOCK / 2) return Buffer.allocUnsafe(size);
    const count = Math.ceil(size / BLOCK);
    if (!this.reserve(count)) return Buffer.allocUnsafe(size);
    // Blocks that follow each other in memory become one piece: the free list hands them out in
    // address order, so a body is mostly one or two pieces (one write each, not one per block).
    const pieces: Buffer[] = [];
    let left = size;
    let run: { memory: ArrayBufferLike; start: number; end: number } | undefined;
    for (let i = 0; i < count; i++) {
      const block = this.free.pop()!;
      this.slabOf(block)!.lent[block.byteOffset / BLOCK] = 1;
      const n = Math.min(BLOCK, left);
      left -= n;
      if (run && run.memory === block.buffer && run.end === block.byteOffset) run.end += n;
      else {
        if (run) pieces.push(Buffer.from(run.memory, run.start, run.end - run.start));
        run = { memory: block.buffer, start: block.byteOffset, end: block.byteOffset + n };
      }
    }
    pieces.push(Buffer.from(run!.memory, run!.start, run!.end - run!.start));
    return pieces;
  }

  /**
   * Takes back bodies from {@link take} once nothing will read them again (their APPEND has been
   * answered). Anything else, or a block already given back, is ignored.
   */
  give(bodies: Iterable<Body>): void {
    for (const body of bodies) {
      if (Buffer.isBuffer(body)) continue;
      // Pushed last block first, so that the next take() pops them in address order again.
      for (let p = body.length - 1; p >= 0; p--) {
        const piece = body[p]!;
        const slab = this.slabOf(piece);
        const first = piece.byteOffset / BLOCK;
        if (!slab || !Number.isInteger(first)) continue;
        for (let index = Math.ceil((piece.byteOffset + piece.length) / BLOCK) - 1; index >= first; index--) {
          if (slab.lent[index] !== 1) continue;
          slab.lent[index] = 0;
          this.free.push(slab.blocks[index]!);
        }
      }
    }
  }

  /** Bytes of the pool's slabs (lent and idle). */
  get bytes(): number {
    return this.slabs.size * SLAB;
  }

  /** Makes sure `count` blocks are free, adding slabs within the cap. @returns false when it cannot. */
  private reserve(count: number): boolean {
    while (this.free.length < count) {
      if (this.slabs.size >= this.maxSlabs) return false;
      const memory = Buffer.allocUnsafeSlow(SLAB);
      const slab: Slab = { blocks: [], lent: new Uint8Array(BLOCKS_PER_SLAB) };
      for (let i = 0; i < BLOCKS_PER_SLAB; i++) slab.blocks.push(memory.subarray(i * BLOCK, (i + 1) * BLOCK));
      this.slabs.set(memory.buffer, slab);
      // Pushed in reverse so that pop() hands out a slab's blocks in address order.
      for (let i = BLOCKS_PER_SLAB - 1; i >= 0; i--) this.free.push(slab.blocks[i]!);
    }
    return true;
  }

  private slabOf(piece: Buffer): Slab | undefined {
    return this.slabs.get(piece.buffer);
  }
}
