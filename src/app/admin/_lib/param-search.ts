/**
 * The jobs list's params field: what a person types (`user.id=42 plan="pro plus"`,
 * separated by spaces or new lines) and the `param.<path>=<value>` keys of the
 * list's URL, which GET /api/jobs takes too. Checking the paths themselves
 * (characters, masked keys) is paramFilters' job, the same as for the API.
 */

export type ParamPairs = [path: string, value: string][];

/** A `path=value` or `path="value with spaces"`: runs of non-space characters and quoted parts. */
const tokens = /(?:[^\s"]+|"[^"]*")+/g;

/**
 * The pairs typed into the field, or what is wrong with them in words.
 * @example parseParamSearch('user.id=42 plan="pro plus"') // { pairs: [['user.id', '42'], ['plan', 'pro plus']] }
 * @example parseParamSearch('user.id') // { problem: 'Params filter "user.id" has no "=": type path=value, e.g. user.id=42' }
 */
export function parseParamSearch(text: string): { pairs: ParamPairs } | { problem: string } {
  if ((text.match(/"/g)?.length ?? 0) % 2) return { problem: 'A quote in the params filter is not closed: type path="value with spaces"' };
  const pairs: ParamPairs = [];
  for (const typed of text.match(tokens) ?? []) {
    const eq = typed.indexOf('=');
    if (eq < 0) return { problem: `Params filter "${typed}" has no "=": type path=value, e.g. user.id=42` };
    if (eq === 0) return { problem: `Params filter "${typed}" has no path before "=": type path=value, e.g. user.id=42` };
    pairs.push([typed.slice(0, eq), typed.slice(eq + 1).replace(/"/g, '')]);
  }
  const twice = pathGivenTwice(pairs);
  return twice ? { problem: twice } : { pairs };
}

/**
 * What is wrong when a path comes twice (a job's value cannot equal both, and a
 * bulk filter holds one value per path), or null.
 * @example pathGivenTwice([['a', '1'], ['a', '2']]) // 'Params filter a is given twice; give it once'
 */
export function pathGivenTwice(pairs: ParamPairs): string | null {
  const seen = new Set<string>();
  for (const [path] of pairs) {
    if (seen.has(path)) return `Params filter ${path} is given twice; give it once`;
    seen.add(path);
  }
  return null;
}

/** The pairs as the field shows them again: a value with spaces in quotes. */
export function formatParamSearch(pairs: ParamPairs): string {
  return pairs.map(([path, value]) => `${path}=${/[\s"]/.test(value) || value === '' ? `"${value}"` : value}`).join(' ');
}

/** The `param.<path>` keys of a list URL's search params, in order. */
export function paramPairsOfQuery(raw: Record<string, string | string[] | undefined>): ParamPairs {
  const pairs: ParamPairs = [];
  for (const [key, value] of Object.entries(raw)) {
    if (!key.startsWith('param.')) continue;
    for (const one of Array.isArray(value) ? value : [value ?? '']) pairs.push([key.slice('param.'.length), one]);
  }
  return pairs;
}
