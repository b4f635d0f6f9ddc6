import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '@/server/api/cursor';

const id = '019a885b-230f-7479-bb63-56f68f970aa1';
const wrap = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('the cursor of GET /api/jobs', () => {
  it('carries an id key as version 1 (what cursors were before lists of finished jobs had their own order) and a finish-time key as version 2', () => {
    expect(encodeCursor({ id })).toBe(wrap({ v: 1, before: id }));
    expect(decodeCursor(encodeCursor({ id }))).toEqual({ id });
    expect(decodeCursor(encodeCursor({ id, completedAt: 1_764_000_000_123 }))).toEqual({ id, completedAt: 1_764_000_000_123 });
  });

  it('is a bad_request for anything it did not hand out', () => {
    for (const bad of ['not-ours', wrap({ v: 3, before: id }), wrap({ v: 2, before: id }), wrap({ v: 2, before: id, at: '1764000000000' }), wrap({ v: 2, before: id, at: 1.5 }), wrap({ v: 1, before: 'x' }), wrap([1])]) {
      expect(() => decodeCursor(bad)).toThrow(expect.objectContaining({ code: 'bad_request' }));
    }
  });
});
