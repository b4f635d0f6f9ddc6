import { z } from 'zod';
import { defaults } from './defaults';
import { JobsError } from '../core/errors';
import { parseDuration } from '../core/duration';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optionalText = z.string().trim().min(1).optional();
const duration = (fallback: string) =>
  z.string().default(fallback).transform((value, ctx) => {
    try {
      return parseDuration(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

const envSchema = z.object({
  DATABASE_URL: z.string().trim().min(1).default(defaults.databaseUrl),
  DATABASE_AUTH_TOKEN: optionalText,
  JOBS_CONCURRENCY: positiveInt(defaults.concurrency),
  JOBS_QUEUES: optionalText,
  JOBS_LEASE_MS: positiveInt(defaults.leaseMs),
  JOBS_POLL_INTERVAL_MS: positiveInt(defaults.pollIntervalMs),
  JOBS_MAX_ATTEMPTS: positiveInt(defaults.maxAttempts),
  JOBS_RETRY_DELAY_MS: z.coerce.number().int().min(0).default(defaults.retryDelayMs),
  JOBS_TIMEOUT_MS: positiveInt(defaults.timeoutMs),
  JOBS_MAX_PARAMS_BYTES: positiveInt(defaults.maxParamsBytes),
  JOBS_BUSY_TIMEOUT_MS: z.coerce.number().int().min(0).default(defaults.busyTimeoutMs),
  JOBS_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(defaults.shutdownGraceMs),
  JOBS_CLEAN_COMPLETED_AFTER: duration(defaults.cleanCompletedAfter),
  JOBS_CLEAN_FAILED_AFTER: duration(defaults.cleanFailedAfter),
  JOBS_CRON_MISFIRE_GRACE_MS: z.coerce.number().int().min(0).default(defaults.cronMisfireGraceMs),
  PORT: positiveInt(defaults.port),
});

export interface Config {
  databaseUrl: string;
  databaseAuthToken?: string;
  concurrency: number;
  /** Queues a worker takes, in the order it serves them; empty means every queue. */
  queues: string[];
  leaseMs: number;
  pollIntervalMs: number;
  maxAttempts: number;
  retryDelayMs: number;
  timeoutMs: number;
  maxParamsBytes: number;
  busyTimeoutMs: number;
  shutdownGraceMs: number;
  cleanCompletedAfterMs: number;
  cleanFailedAfterMs: number;
  cronMisfireGraceMs: number;
  /** Not an env var: how long a job that ignores its aborted signal is waited for. */
  abortGraceMs: number;
  port: number;
}

/** Parses the environment into a Config, or throws a JobsError naming every bad variable. */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new JobsError('config', `Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    databaseAuthToken: e.DATABASE_AUTH_TOKEN,
    concurrency: e.JOBS_CONCURRENCY,
    queues: splitList(e.JOBS_QUEUES),
    leaseMs: e.JOBS_LEASE_MS,
    pollIntervalMs: e.JOBS_POLL_INTERVAL_MS,
    maxAttempts: e.JOBS_MAX_ATTEMPTS,
    retryDelayMs: e.JOBS_RETRY_DELAY_MS,
    timeoutMs: e.JOBS_TIMEOUT_MS,
    maxParamsBytes: e.JOBS_MAX_PARAMS_BYTES,
    busyTimeoutMs: e.JOBS_BUSY_TIMEOUT_MS,
    shutdownGraceMs: e.JOBS_SHUTDOWN_GRACE_MS,
    abortGraceMs: defaults.abortGraceMs,
    cleanCompletedAfterMs: e.JOBS_CLEAN_COMPLETED_AFTER,
    cleanFailedAfterMs: e.JOBS_CLEAN_FAILED_AFTER,
    cronMisfireGraceMs: e.JOBS_CRON_MISFIRE_GRACE_MS,
    port: e.PORT,
  };
}

export function splitList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

const cache = globalThis as unknown as { __fluentJobsConfig?: Config };

/** The process's configuration, parsed from the environment on first use. */
export function getConfig(): Config {
  cache.__fluentJobsConfig ??= parseConfig(process.env);
  return cache.__fluentJobsConfig;
}

/** Forgets the parsed configuration, so the next getConfig() reads the environment again (tests). */
export function resetConfig(): void {
  cache.__fluentJobsConfig = undefined;
}
