import { parseArgs, type ParseArgsConfig } from 'node:util';
import { JobsError } from '../core/errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** util.parseArgs with strict options, its errors turned into usage errors (exit 2). */
export function parseCommand<O extends Options>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
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
