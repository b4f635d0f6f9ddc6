// The failures of bench/admin-fill.ts: 40 kinds, each one job name failing with one
// error thrown from its own perform(), so each is one fingerprint and one failure group.
// The fingerprints are computed by src/core/fingerprint.ts, as the worker computes them,
// from a message whose numbers vary from job to job (`#` is replaced per job).
import { fingerprintOf } from '../src/core/fingerprint';
import { jobKinds } from './scale-fill';

/** Error shapes: name and message, `#` where a number that varies goes. */
const shapes = [
  { errorName: 'Error', message: 'connect ECONNREFUSED 10.0.#.#:5432' },
  { errorName: 'TimeoutError', message: 'Timed out after # ms' },
  { errorName: 'HttpError', message: 'HTTP 503 from https://api.example.com/v2/orders/#' },
  { errorName: 'TypeError', message: "Cannot read properties of undefined (reading 'email')" },
  { errorName: 'ZodError', message: 'params.to: Required' },
  { errorName: 'RateLimitError', message: 'Too many requests: retry after # s' },
  { errorName: 'Error', message: 'ENOSPC: no space left on device, write' },
  { errorName: 'SqliteError', message: 'SQLITE_BUSY: database is locked' },
  { errorName: 'FetchError', message: 'request to https://hooks.example.com/# failed, reason: socket hang up' },
  { errorName: 'NonRetryableError', message: 'Customer # has no email address' },
] as const;

export const failureKindCount = 40;

export interface FailureKind {
  name: string;
  queue: string;
  fingerprint: string;
  errorName: string;
  /** The message with `#` for the varying number. */
  template: string;
  /** The stack after its first line (`<name>: <message>`): the same for every job of the kind. */
  stackTail: string;
  /** Its share of the failures is weight / the sum of the weights (1/(k+1): a few big groups and many small). */
  weight: number;
}

/** `send-email` -> `SendEmailJob`, the class a job name comes from. */
const className = (name: string) => `${name.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('')}Job`;

/**
 * The 40 kinds: kind k is shape k % 10 thrown by job name k % 7 (40 distinct pairs,
 * since 10 and 7 are coprime), weighted 1/(k+1). Throws if a kind's message does not
 * normalise to one fingerprint whatever number replaces `#`.
 */
export function failureKinds(): FailureKind[] {
  const kinds: FailureKind[] = [];
  for (let k = 0; k < failureKindCount; k++) {
    const shape = shapes[k % shapes.length];
    const job = jobKinds[k % jobKinds.length];
    const stackTail = `\n    at ${className(job.name)}.perform (/srv/app/src/jobs/${job.name}.ts:${20 + k}:11)`
      + `\n    at async runAttempt (/srv/app/src/lib/jobs/execute.ts:88:20)\n    at async /srv/app/node_modules/p-queue/dist/index.js:118:36`;
    const of = (n: number) => {
      const message = shape.message.replace(/#/g, String(n));
      return fingerprintOf(shape.errorName, message, `${shape.errorName}: ${message}${stackTail}`);
    };
    const [a, b] = [of(7), of(40213)];
    if (a.fingerprint !== b.fingerprint) throw new Error(`failure kind ${k}: "${shape.message}" gives two fingerprints`);
    kinds.push({ name: job.name, queue: job.queue, fingerprint: a.fingerprint, errorName: shape.errorName, template: shape.message, stackTail, weight: Math.round(10_000 / (k + 1)) });
  }
  if (new Set(kinds.map((k) => k.fingerprint)).size !== failureKindCount) throw new Error('two failure kinds share a fingerprint');
  return kinds;
}

/** What failure_fingerprints holds for a kind: the parts its fingerprint hashes. */
export function fingerprintParts(kind: FailureKind) {
  const message = kind.template.replace(/#/g, '1');
  return fingerprintOf(kind.errorName, message, `${kind.errorName}: ${message}${kind.stackTail}`);
}
