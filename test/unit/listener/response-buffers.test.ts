// The pool of reusable buffers for large response bodies (src/listener/response-buffers.ts).
import { describe, expect, it } from 'vitest';
import { ResponseBuffers } from '../../../src/listener/response-buffers.js';

describe('ResponseBuffers', () => {
  it('encodes a large body as UTF-8 in a lent buffer, and lends that buffer again only once it is given back', () => {
    const pool = new ResponseBuffers(1024, 2, 16);
    const a = pool.encodeUtf8('é'.repeat(100))!;
    expect(a.payload.toString('utf8')).toBe('é'.repeat(100));
    expect(a.payload.length).toBe(200);
    const b = pool.encodeUtf8('b'.repeat(300))!;
    expect(b.payload.toString()).toBe('b'.repeat(300));
    expect(pool.inUse).toBe(2);
    // Both lent: a third body is left to a fresh buffer, and the lent ones are untouched.
    expect(pool.encodeUtf8('c'.repeat(300))).toBeUndefined();
    expect(a.payload.toString('utf8')).toBe('é'.repeat(100));
    a.release();
    a.release(); // idempotent: one buffer back, not two
    expect(pool.inUse).toBe(1);
    const c = pool.encodeUtf8('d'.repeat(50))!;
    expect(c.payload.buffer).toBe(a.payload.buffer); // the same memory, reused
    expect(c.payload.toString()).toBe('d'.repeat(50));
    expect(b.payload.toString()).toBe('b'.repeat(300));
    expect(pool.encodeUtf8('e'.repeat(50))).toBeUndefined();
  });

  it('leaves small bodies to Node, and refuses a body that would not fit rather than truncate it', () => {
    const pool = new ResponseBuffers(1024, 4, 16);
    expect(pool.encodeUtf8('short')).toBeUndefined();
    // 400 units: at most 1,200 bytes, so counted exactly; 400 × 3-byte characters do not fit.
    expect(pool.encodeUtf8('€'.repeat(400))).toBeUndefined();
    const ascii = pool.encodeUtf8('x'.repeat(1024))!;
    expect(ascii.payload.length).toBe(1024);
    expect(pool.encodeUtf8('x'.repeat(1025))).toBeUndefined();
    expect(pool.inUse).toBe(1);
  });
});
