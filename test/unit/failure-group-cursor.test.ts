import { describe, expect, it } from 'vitest';
import { decodeFailureGroupCursor, encodeFailureGroupCursor } from '@/app/admin/_lib/failure-group-cursor';

const wrap = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('the failures page cursor', () => {
  it('carries the last group\'s key, whatever characters its job name has, and gives it back', () => {
    const key = { lastSeen: 1_764_000_000_123, name: 'mail/send?x=1&y="2" é', fingerprint: '0123456789abcdef' };
    const cursor = encodeFailureGroupCursor(key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeFailureGroupCursor(cursor)).toEqual(key);
  });

  it('is null for anything the page did not hand out', () => {
    for (const bad of ['not-ours', '', wrap({ v: 2, at: 1, name: 'a', fp: 'b' }), wrap({ v: 1, at: '1', name: 'a', fp: 'b' }), wrap({ v: 1, at: 1.5, name: 'a', fp: 'b' }), wrap({ v: 1, at: 1, name: 3, fp: 'b' }), wrap([1])]) {
      expect(decodeFailureGroupCursor(bad)).toBeNull();
    }
  });
});
