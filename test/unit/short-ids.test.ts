import { describe, expect, it } from 'vitest';
import { parseJobIdQuery, shortJobId } from '@/core/ids';

const id = '019a885b-230f-7479-bb63-56f68f970aa1';

describe('the short form of an id', () => {
  it('is the first 8 and the last 4 characters, so jobs of the same minute still differ', () => {
    expect(shortJobId(id)).toBe('019a885b…0aa1');
    const sameMinute = '019a885b-9f00-7000-8000-000000001234';
    expect(shortJobId(sameMinute)).not.toBe(shortJobId(id));
  });

  it('leaves a value already that short alone', () => {
    expect(shortJobId('019a885b…0aa1')).toBe('019a885b…0aa1');
  });
});

describe('reading a typed id', () => {
  it('reads a plain value as a prefix or a tail, with dashes where a UUID has them, lower-cased', () => {
    expect(parseJobIdQuery('019A885B230F')).toEqual({ kind: 'either', prefix: '019a885b-230f', tail: '019a885b230f' });
    expect(parseJobIdQuery('bb6356f68f970aa1')).toEqual({ kind: 'either', prefix: 'bb6356f6-8f97-0aa1', tail: 'bb63-56f68f970aa1' });
    expect(parseJobIdQuery(' 019a885b-230f ')).toMatchObject({ prefix: '019a885b-230f' });
  });

  it('reads a whole id as itself, at both ends', () => {
    expect(parseJobIdQuery(id)).toEqual({ kind: 'either', prefix: id, tail: id });
    expect(parseJobIdQuery(id.replace(/-/g, ''))).toEqual({ kind: 'either', prefix: id, tail: id });
  });

  it('reads the short form, with … or ..., and either end of it alone', () => {
    expect(parseJobIdQuery('019a885b…0aa1')).toEqual({ kind: 'ends', prefix: '019a885b', tail: '0aa1' });
    expect(parseJobIdQuery('019a885b...0AA1')).toEqual({ kind: 'ends', prefix: '019a885b', tail: '0aa1' });
    expect(parseJobIdQuery('…56f68f970aa1')).toEqual({ kind: 'ends', prefix: '', tail: '56f68f970aa1' });
    expect(parseJobIdQuery('019a885b230f...')).toEqual({ kind: 'ends', prefix: '019a885b-230f', tail: '' });
  });

  it('refuses what cannot name a job, with the forms it takes', () => {
    for (const bad of ['zz', '019', '…01', 'xyz1234', '01…23…45', `${id}0`, '019a 885b']) {
      expect(() => parseJobIdQuery(bad), bad).toThrow(/is not a job id or a prefix of one: give 4 or more hex characters of its start or its end, or its short form/);
    }
  });
});
