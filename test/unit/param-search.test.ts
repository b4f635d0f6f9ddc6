import { describe, expect, it } from 'vitest';
import { formatParamSearch, paramPairsOfQuery, parseParamSearch } from '@/app/admin/_lib/param-search';

describe('the jobs list params field', () => {
  it('reads path=value pairs separated by spaces or new lines, a quoted value with its spaces', () => {
    expect(parseParamSearch(' user.id=42\nplan="pro plus"  empty= a=1=2 ')).toEqual({
      pairs: [['user.id', '42'], ['plan', 'pro plus'], ['empty', ''], ['a', '1=2']],
    });
    expect(parseParamSearch('   ')).toEqual({ pairs: [] });
  });

  it('says what is wrong with a pair without "=", an empty path, a path given twice, or an open quote', () => {
    expect(parseParamSearch('user.id=42 user')).toEqual({ problem: 'Params filter "user" has no "=": type path=value, e.g. user.id=42' });
    expect(parseParamSearch('=42')).toEqual({ problem: 'Params filter "=42" has no path before "=": type path=value, e.g. user.id=42' });
    expect(parseParamSearch('a=1 a=2')).toEqual({ problem: 'Params filter a is given twice; give it once' });
    expect(parseParamSearch('a="b c')).toEqual({ problem: 'A quote in the params filter is not closed: type path="value with spaces"' });
  });

  it('shows the pairs again as they read back, and takes them from the param.<path> keys of the URL', () => {
    const pairs = parseParamSearch(formatParamSearch([['user.id', '42'], ['plan', 'pro plus'], ['e', '']]));
    expect(pairs).toEqual({ pairs: [['user.id', '42'], ['plan', 'pro plus'], ['e', '']] });
    expect(paramPairsOfQuery({ state: 'failed', 'param.user.id': '42', 'param.tag': ['a', 'b'] })).toEqual([['user.id', '42'], ['tag', 'a'], ['tag', 'b']]);
  });
});
