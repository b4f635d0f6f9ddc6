import { parseArgs, type ParseArgsConfig } from 'node:util';
import { JobsError } from '../core/errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** util.parseArgs with strict options, its errors turned into usage errors (exit 2). */
export function parseCommand<O extends Options>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: joinNegativeValues(argv, options), options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new JobsError('usage', `${(error as Error).message.replace(/\. To specify a positional.*$/s, '')}\nUsage: ${usage}`);
  }
}

/** A whole number option, or a usage error naming it. */
export function intOption(value: string | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value) || Number(value) < min) throw new JobsError('usage', `--${name} must be a whole number >= ${min}, got "${value}"`);
  return Number(value);
}

/** Exactly one positional, or a usage error. */
export function onePositional(positionals: string[], what: string, usage: string): string {
  if (positionals.length !== 1) throw new JobsError('usage', `Give one ${what}.\nUsage: ${usage}`);
  return positionals[0];
}

/**
 * `--limit -5` as `--limit=-5`: parseArgs reads a value starting with a dash as
 * an option, so a negative number would be refused with a riddle instead of
 * reaching the option's own check (or, for `--priority -5`, its valid use).
 * @example joinNegativeValues(['--limit', '-5'], { limit: { type: 'string' } }) // ['--limit=-5']
 */
export function joinNegativeValues(argv: string[], options: Options): string[] {
  const takesValue = new Set(Object.entries(options).filter(([, o]) => o.type === 'string').map(([name]) => `--${name}`));
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') return [...joined, ...argv.slice(i)];
    if (takesValue.has(argv[i]) && /^-\d/.test(argv[i + 1] ?? '')) joined.push(`${argv[i]}=${argv[++i]}`);
    else joined.push(argv[i]);
  }
  return joined;
}

/**
 * The candidate closest to a mistyped word, if any is close enough to be what
 * was meant: at most one edit per three letters (a swap of two letters is one edit).
 * @example closestWord('lst', ['list', 'status']) // 'list'
 */
export function closestWord(word: string, candidates: readonly string[]): string | undefined {
  const typed = word.toLowerCase();
  const allowed = Math.max(1, Math.floor(typed.length / 3));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(typed, candidate.toLowerCase());
    if (distance <= allowed && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
