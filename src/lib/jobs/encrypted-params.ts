import { DecryptionError, isEnvelope, openValue, sealValue, type Keyring, type ValueBinding } from '../../core/encryption';
import { JobsError } from '../../core/errors';
import type { JobClass } from './job';
import { jobNameOf, nameKey } from './job-name';

/**
 * The params a class lists in `static encrypt`, between the caller and the
 * database: each listed path's whole value (a string, a number, an object, an
 * array) is encrypted as one JSON value before it is stored, and every
 * encrypted value is decrypted before the job's schema and perform() see it.
 * The copies made leave the caller's object as it was.
 */

const pathPattern = /^[\w-]+(\.[\w-]+)*$/;

/**
 * A class's `static encrypt`, checked: dotted paths of letters, digits, _ and
 * -, none twice, none inside another (the outer one covers it). Throws for a
 * bad list; the registry calls it, so a bad list fails at start.
 * @example encryptedPathsOf(class { static jobName = 'charge'; static encrypt = ['apiKey', 'card.number'] }) // ['apiKey', 'card.number']
 */
export function encryptedPathsOf(jobClass: Pick<JobClass, 'name' | 'jobName' | 'encrypt'>): string[] {
  const listed: unknown = jobClass.encrypt;
  if (listed === undefined) return [];
  const owner = `${jobClass.name}.encrypt`;
  if (!Array.isArray(listed) || listed.some((p) => typeof p !== 'string' || !pathPattern.test(p))) {
    throw new Error(`${owner} must list dotted param paths of letters, digits, _ and -, such as ['apiKey', 'card.number']`);
  }
  const paths = listed as string[];
  for (const a of paths) {
    if (paths.indexOf(a) !== paths.lastIndexOf(a)) throw new Error(`${owner} lists "${a}" twice`);
    const inner = paths.find((b) => b.startsWith(`${a}.`));
    if (inner) throw new Error(`${owner} lists both "${a}" and "${inner}": encrypting "${a}" already covers "${inner}"`);
  }
  return [...paths];
}

/** What an encrypted value of this job at this path is bound to; the name in its compared form, so `SendEmail` and `send-email` agree. */
function bindingOf(jobName: string, segments: readonly string[]): ValueBinding {
  return { jobName: nameKey(jobName), path: segments.join('.') };
}

/**
 * The params with every encrypted value decrypted (the same object when
 * there is none), and the paths that held one. An encrypted value must sit
 * under object keys: one inside an array, or the params themselves, has no
 * path to be bound to. Throws a DecryptionError naming the path and key id.
 * @example openParams('charge', { apiKey: { $encrypted: 'v1:k1:...' } }, keyring).params // { apiKey: 'sk_live_1' }
 */
export function openParams(jobName: string, params: unknown, keyring: Keyring | null): { params: unknown; opened: string[][] } {
  const opened: string[][] = [];
  // .now() takes params unchecked: a circular one is passed on as it is, not walked for ever.
  const above = new Set<object>();
  const walk = (value: unknown, segments: string[], bound: boolean): unknown => {
    if (isEnvelope(value)) {
      if (!bound || segments.length === 0) {
        const where = segments.length ? `params.${segments.join('.')}` : 'params';
        throw new DecryptionError(`${where} is an encrypted value inside an array or in place of the params, which has no path to be bound to: encrypt the whole array, or an object's key`, null);
      }
      opened.push(segments);
      return openValue(keyring, value, bindingOf(jobName, segments));
    }
    if (value === null || typeof value !== 'object' || above.has(value)) return value;
    above.add(value);
    try {
      if (Array.isArray(value)) {
        const items = value.map((item, i) => walk(item, [...segments, String(i)], false));
        return items.some((item, i) => item !== value[i]) ? items : value;
      }
      let changed = false;
      const entries = Object.entries(value).map(([key, item]) => {
        const next = walk(item, [...segments, key], bound);
        changed ||= next !== item;
        return [key, next] as const;
      });
      // fromEntries defines own properties, so a "__proto__" key stays a plain key.
      return changed ? Object.fromEntries(entries) : value;
    } finally {
      above.delete(value);
    }
  };
  return { params: walk(params, [], true), opened };
}

/**
 * The params to store: the value at each path the class lists, and at each
 * of `alsoAt` (values that came encrypted), replaced by its encrypted form
 * under the keyring's first key. A path that is not there (an optional param
 * left out) is skipped. A class that encrypts refuses to go on without keys:
 * its params are never stored in clear.
 */
export function sealParams(jobClass: JobClass, params: unknown, alsoAt: readonly string[][], keyring: Keyring | null): unknown {
  const listed = encryptedPathsOf(jobClass).map((p) => p.split('.'));
  const known = new Set(listed.map((s) => s.join('\u0000')));
  const paths = [...listed, ...alsoAt.filter((s) => !known.has(s.join('\u0000')))];
  if (paths.length === 0) return params;
  const name = jobNameOf(jobClass);
  if (!keyring) {
    throw new JobsError('config', `The ${name} job encrypts params (static encrypt: ${listed.map((s) => s.join('.')).join(', ')}), and JOBS_ENCRYPTION_KEYS is not set: `
      + 'set it (e.g. JOBS_ENCRYPTION_KEYS=k1:<output of openssl rand -base64 32>) to enqueue it; its params are never stored in clear');
  }
  return paths.reduce((current, segments) => sealAt(current, segments, [], (value) => sealValue(keyring, value, bindingOf(name, segments))), params);
}

/** A copy of `value` with the value at `segments` sealed; the same value when the path is not there. */
function sealAt(value: unknown, segments: readonly string[], above: readonly string[], seal: (value: unknown) => unknown): unknown {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'object' || Array.isArray(value)) {
    const where = above.length ? `params.${above.join('.')}` : 'params';
    const path = [...above, ...segments].join('.');
    throw new JobsError('invalid_params', `${where} must be an object: ${path} inside it is encrypted (static encrypt)`);
  }
  const [head, ...rest] = segments;
  const record = value as Record<string, unknown>;
  if (!Object.hasOwn(record, head) || record[head] === undefined) return value;
  const next = rest.length ? sealAt(record[head], rest, [...above, head], seal) : seal(record[head]);
  return next === record[head] ? value : Object.fromEntries(Object.entries(record).map(([k, v]) => [k, k === head ? next : v]));
}
