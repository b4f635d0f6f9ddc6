import type { Config } from '../../config/env';
import type { Backoff, StoredBackoff } from '../../core/backoff';
import { parseDuration, parseInstant } from '../../core/duration';
import { JobsError } from '../../core/errors';
import { newJobId } from '../../core/ids';
import { checkJobText } from '../../core/job-text';
import { DecryptionError } from '../../core/encryption';
import { assertPlainJson, toJsonParams } from '../../core/json';
import { parsePriority } from '../../core/priority';
import type { NewJob } from '../../store/enqueue';
import { openParams, sealParams } from './encrypted-params';
import type { JobClass } from './job';
import { jobNameOf } from './job-name';
import type { LaterOptions } from './types';

/**
 * Turns a class, params and call options into the row to insert: params
 * checked against the class's schema, encrypted where the class says, and as
 * JSON within the size limit (prepareParams), and every option resolved
 * (call, then class, then environment default).
 */
export function buildNewJob(jobClass: JobClass, params: unknown, options: LaterOptions, config: Config, now: number): NewJob {
  const classOptions = jobClass.options ?? {};
  const { checked, json } = prepareParams(jobClass, params, config);
  const maxAttempts = options.maxAttempts ?? classOptions.maxAttempts ?? config.maxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new JobsError('bad_request', `maxAttempts must be a whole number >= 1, got ${maxAttempts}`);
  }
  const timeoutMs = parseDuration(options.timeout ?? classOptions.timeout ?? config.timeoutMs);
  checkParentFailure(options.onParentFailure);
  if (timeoutMs <= 0) throw new JobsError('bad_request', 'timeout must be more than 0 ms');
  return {
    id: newJobId(),
    name: jobNameOf(jobClass),
    queue: checkQueue(options.queue ?? classOptions.queue ?? 'default'),
    priority: parsePriority(options.priority ?? classOptions.priority, 0),
    params: json,
    maxAttempts,
    backoff: options.backoff ? JSON.stringify(options.backoff) : null,
    timeoutMs,
    runAt: resolveRunAt(options, now),
    idempotencyKey: options.idempotencyKey ?? null,
    dependsOn: options.dependsOn?.length ? [...new Set(options.dependsOn)] : undefined,
    parentFailure: options.onParentFailure,
    title: checkJobText('title', options.title),
    description: checkJobText('description', options.description),
    ...resolveConcurrency(jobClass, checked, options),
  };
}

/** The concurrency key and limit: the call's, else the class's (its key may be a function of the params). */
function resolveConcurrency(jobClass: JobClass, params: unknown, options: LaterOptions): { concurrencyKey: string | null; concurrencyLimit: number | null } {
  const classOptions = jobClass.options ?? {};
  const classKey = typeof classOptions.concurrencyKey === 'function' ? classOptions.concurrencyKey(params) : classOptions.concurrencyKey;
  const key = options.concurrencyKey ?? classKey ?? null;
  if (key === null) return { concurrencyKey: null, concurrencyLimit: null };
  if (typeof key !== 'string' || key.length === 0 || key.length > 200) {
    throw new JobsError('bad_request', `concurrencyKey must be a string of 1 to 200 characters, got ${JSON.stringify(key)}`);
  }
  const limit = options.concurrencyLimit ?? classOptions.concurrencyLimit ?? 1;
  if (!Number.isInteger(limit) || limit < 1) throw new JobsError('bad_request', `concurrencyLimit must be a whole number >= 1, got ${limit}`);
  return { concurrencyKey: key, concurrencyLimit: limit };
}

/**
 * Params as they are stored, for a new job or a schedule, the one path from
 * a caller's params to the database: checked as plain JSON, then against the
 * class's schema in clear (a value given encrypted at a listed path, as a
 * schedule's fire gives it, is decrypted for that), then each value the class
 * encrypts is encrypted afresh with the first key, and the size limit applies
 * to that JSON. `checked` is what the schema made of them.
 */
export function prepareParams<P>(jobClass: JobClass<P>, params: unknown, config: Config): { checked: P; json: string } {
  assertPlainJson(params);
  const clear = openGivenParams(jobClass, params, config);
  const checked = checkParams(jobClass, clear);
  return { checked, json: toJsonParams(sealParams(jobClass, clear, config.encryptionKeys), config.maxParamsBytes) };
}

/** Values given encrypted at the paths the class lists, decrypted; one that does not decrypt is an invalid_params error (say, a key since removed). */
export function openGivenParams(jobClass: JobClass, params: unknown, config: Config): unknown {
  try {
    return openParams(jobClass, jobNameOf(jobClass), params, config.encryptionKeys);
  } catch (error) {
    if (error instanceof DecryptionError) throw new JobsError('invalid_params', error.message);
    throw error;
  }
}

/** Runs the class's param schema, if it has one, turning its error into an invalid_params error. */
export function checkParams<P>(jobClass: JobClass<P>, params: unknown): P {
  if (!jobClass.params) return params as P;
  try {
    return jobClass.params.parse(params) as P;
  } catch (error) {
    const issues = (error as { issues?: { path: (string | number)[]; message: string }[] }).issues;
    const detail = issues?.map((i) => `${['params', ...i.path].join('.')}: ${i.message}`).join('; ') ?? (error as Error).message;
    throw new JobsError('invalid_params', `Invalid params for ${jobNameOf(jobClass)}: ${detail}`);
  }
}

function checkParentFailure(value: unknown): void {
  if (value !== undefined && value !== 'fail' && value !== 'run') {
    throw new JobsError('bad_request', `Invalid onParentFailure "${String(value)}": use fail or run`);
  }
}

/** A queue name, or a bad_request error. */
export function checkQueue(queue: string): string {
  if (!/^[\w.:-]{1,100}$/.test(queue)) throw new JobsError('bad_request', `Invalid queue name "${queue}": use letters, digits, . _ : -`);
  return queue;
}

function resolveRunAt(options: LaterOptions, now: number): number {
  if (options.runAt !== undefined && options.delay !== undefined) {
    throw new JobsError('bad_request', 'Give either delay or runAt, not both');
  }
  if (options.runAt !== undefined) return parseInstant(options.runAt);
  if (options.delay !== undefined) return now + parseDuration(options.delay);
  return now;
}

/** The backoff for a retry: the job's own (from its enqueue call), else the class's, else the default. */
export function resolveBackoff(stored: string | null, jobClass: JobClass | undefined, config: Config): Backoff {
  if (stored) return JSON.parse(stored) as StoredBackoff;
  return jobClass?.options?.backoff ?? { type: 'exponential', delay: config.retryDelayMs };
}
