import { JobsError } from '../../core/errors';
import { paramSearchLimit, type ParamFilter } from '../../store/queries';

export { paramSearchLimit };

/**
 * Param filters from `path=value` pairs, the one reading that `bin/jobs list
 * --param k=v` and `GET /api/jobs?param.k=v` share: dotted paths name nested
 * keys; a value matches the JSON string with that text, and also the number
 * (`42`) or the literal (`true`, `false`, `null`) it spells. A key named in
 * JOBS_REDACT_KEYS cannot be searched: its values are masked everywhere, and a
 * search would tell them.
 * @example paramFilters([['user.id', '42']], ['password']) // [{ path: ['user', 'id'], text: '42', number: 42, literal: null }]
 */
export function paramFilters(pairs: readonly (readonly [string, string])[], redactKeys: readonly string[]): ParamFilter[] {
  const masked = new Set(redactKeys.map((k) => k.toLowerCase()));
  return pairs.map(([key, value]) => {
    const path = key.split('.');
    if (path.some((part) => !/^[\w-]{1,100}$/.test(part))) {
      throw new JobsError('bad_request', `Invalid param path "${key}": dotted keys of letters, digits, _ and -`);
    }
    if (path.some((part) => masked.has(part.toLowerCase()))) {
      throw new JobsError('bad_request', `Param "${key}" is masked (JOBS_REDACT_KEYS) and cannot be searched`);
    }
    const number = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(value) ? Number(value) : null;
    const literal = value === 'true' || value === 'false' || value === 'null' ? value : null;
    return { path, text: value, number, literal };
  });
}

/** `k=v` strings (as `--param` takes them) split at the first `=`. */
export function splitParamPairs(pairs: readonly string[]): [string, string][] {
  return pairs.map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new JobsError('usage', `--param takes key=value, got "${pair}"`);
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  });
}
