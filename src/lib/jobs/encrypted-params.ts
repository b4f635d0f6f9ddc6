import { isEnvelope, openValue, sealValue, type Keyring, type ValueBinding } from '../../core/encryption';
import { JobsError } from '../../core/errors';
import type { JobClass } from './job';
import { jobNameOf, nameKey } from './job-name';

/**
 * The params a class lists in `static encrypt`, between the caller and the
 * database: each listed path's whole value (a string, a number, an object, an
 * array) is encrypted as one JSON value before it is stored, and decrypted
 * before the job's schema and perform() see it.
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
 * The params with the value at each path the class lists decrypted where it
 * is encrypted (the same object when none is). Only listed paths are
 * opened: an envelope elsewhere is data the job carries (a webhook delivery
 * carries another job's stored row) and is passed on as it is. A value at a
 * listed path in clear (a job stored before the path was listed) stays as it
 * is. Throws a DecryptionError naming the path and key id.
 * @example openParams(ChargeJob, 'charge', { apiKey: { $encrypted: 'v1:k1:...' } }, keyring) // { apiKey: 'sk_live_1' }
 */
export function openParams(jobClass: JobClass, jobName: string, params: unknown, keyring: Keyring | null): unknown {
  return encryptedPathsOf(jobClass).map((p) => p.split('.')).reduce((current, segments) => replaceAt(current, segments, [], 'skip', (value) => (
    isEnvelope(value) ? openValue(keyring, value, bindingOf(jobName, segments)) : value
  )), params);
}

/**
 * The params to store: the value at each path the class lists replaced by
 * its encrypted form under the keyring's first key (a value given encrypted
 * has been opened by openParams, so this encrypts it afresh). A path that is
 * not there (an optional param left out) is skipped. A class that encrypts
 * refuses to go on without keys: its params are never stored in clear.
 */
export function sealParams(jobClass: JobClass, params: unknown, keyring: Keyring | null): unknown {
  const paths = encryptedPathsOf(jobClass).map((p) => p.split('.'));
  if (paths.length === 0) return params;
  const name = jobNameOf(jobClass);
  if (!keyring) {
    throw new JobsError('config', `The ${name} job encrypts params (static encrypt: ${paths.map((s) => s.join('.')).join(', ')}), and JOBS_ENCRYPTION_KEYS is not set: `
      + 'set it (e.g. JOBS_ENCRYPTION_KEYS=k1:<output of openssl rand -base64 32>) to enqueue it; its params are never stored in clear');
  }
  return paths.reduce((current, segments) => replaceAt(current, segments, [], 'refuse', (value) => sealValue(keyring, value, bindingOf(name, segments))), params);
}

/**
 * A copy of `value` with the value at `segments` replaced; the same value
 * when the path is not there or the replacement is the same. Something on
 * the way that is not an object is refused (when sealing: the secret would
 * stay in clear) or skipped (when opening: there is nothing to open).
 */
function replaceAt(value: unknown, segments: readonly string[], above: readonly string[], notObject: 'refuse' | 'skip', replace: (value: unknown) => unknown): unknown {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'object' || Array.isArray(value)) {
    if (notObject === 'skip') return value;
    const where = above.length ? `params.${above.join('.')}` : 'params';
    throw new JobsError('invalid_params', `${where} must be an object: ${[...above, ...segments].join('.')} inside it is encrypted (static encrypt)`);
  }
  const [head, ...rest] = segments;
  const record = value as Record<string, unknown>;
  if (!Object.hasOwn(record, head) || record[head] === undefined) return value;
  const next = rest.length ? replaceAt(record[head], rest, [...above, head], notObject, replace) : replace(record[head]);
  // fromEntries defines own properties, so a "__proto__" key stays a plain key.
  return next === record[head] ? value : Object.fromEntries(Object.entries(record).map(([k, v]) => [k, k === head ? next : v]));
}

/**
 * A worker (or poller) that runs a class which encrypts params needs the keys
 * to open them: without JOBS_ENCRYPTION_KEYS it refuses to start, rather than
 * claim those jobs and fail each one for good.
 */
export function checkKeysFor(classes: readonly { name: string; jobClass: JobClass }[], keyring: Keyring | null): void {
  if (keyring) return;
  const encrypting = classes.find(({ jobClass }) => jobClass.encrypt?.length);
  if (!encrypting) return;
  throw new JobsError('config', `Invalid configuration: job "${encrypting.name}" encrypts params (static encrypt) but JOBS_ENCRYPTION_KEYS is not set: a worker without the keys could not open its jobs`);
}
