import { z } from 'zod';
import { defaults } from './defaults';
import { JobsError } from '../core/errors';
import { parseDuration } from '../core/duration';
import { parseMailbox } from '../core/mailbox';
import { smtpUrlProblem } from './smtp-url';
import { parseBackupKey } from '../core/backup-key';
import { checkSchedule } from '../core/cron';
import { parseKeyring, type Keyring } from '../core/encryption';
import { logFormats, type LogFormat } from '../core/log-line';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optionalText = z.string().trim().min(1).optional();
/** A variable that a blank value turns off (`JOBS_BACKUP_CRON=` in a .env file), like leaving it out. */
const emptyIsUnset = z.string().trim().optional().transform((value) => value || undefined);
const duration = (fallback: string) =>
  z.string().default(fallback).transform((value, ctx) => {
    try {
      return parseDuration(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

/** Schemes a database URL may have besides a plain path; anything else (postgres://, mysql://) is another database's URL. */
const databaseSchemes = ['file', 'libsql', 'http', 'https', 'ws', 'wss'];

/**
 * Why a database URL cannot be a SQLite / libSQL one, or null if it can. Only
 * the scheme is quoted: a URL may carry a password.
 * @example databaseUrlProblem('postgres://u:p@h/db') // 'has the scheme "postgres:", which is not ...'
 */
export function databaseUrlProblem(url: string): string | null {
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(url)?.[1]; // two letters or more: a Windows drive (C:) is a path
  if (scheme === undefined || databaseSchemes.includes(scheme.toLowerCase())) return null;
  return `has the scheme "${scheme}:", which is not a SQLite or libSQL database: give a file path, file:, libsql://, http(s):// or ws(s)://`
    + ' (a file whose name has a colon: file:<path>)';
}

const envSchema = z.object({
  JOBS_DATABASE_URL: optionalText,
  DATABASE_URL: optionalText,
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
  JOBS_REDACT_KEYS: z.string().optional(),
  JOBS_ADMIN_TOKEN: optionalText,
  JOBS_READONLY_TOKEN: optionalText,
  JOBS_DATA_DIR: optionalText,
  PORT: positiveInt(defaults.port),
  // Webhooks
  JOBS_WEBHOOK_URL: optionalText,
  JOBS_WEBHOOK_SECRET: optionalText,
  // Built-in jobs: send-email
  // Blank counts as unset: a .env template's `SMTP_URL=` means "no server yet".
  SMTP_URL: z.string().trim().optional().transform((url) => url || undefined),
  JOBS_MAIL_FROM: z.string().trim().min(1).default(defaults.mailFrom),
  // database-backup and report built-in jobs
  JOBS_BACKUP_DIR: optionalText,
  JOBS_BACKUP_KEY: z.string().optional(), // parseBackupKey says what is wrong with an empty one
  JOBS_BACKUP_KEEP: positiveInt(defaults.backupKeep),
  JOBS_BACKUP_CRON: emptyIsUnset,
  JOBS_REPORT_CRON: emptyIsUnset,
  // Encrypted params
  JOBS_ENCRYPTION_KEYS: z.string().optional(),
  // Metrics and logs
  JOBS_METRICS_TOKEN: optionalText,
  LOG_FORMAT: z.string().trim().toLowerCase().default(defaults.logFormat).pipe(z.enum(logFormats, { error: (issue) => `must be text or json, got "${String(issue.input)}"` })),
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
  /** Keys masked in a job's JSON and the CLI, lower-cased; JOBS_REDACT_KEYS (comma-separated) replaces the defaults, an empty one keeps them. */
  redactKeys: string[];
  /** May do everything (API Bearer token, page login); unset, one is generated into the data folder. */
  adminToken?: string;
  /** May only read; unset, there is no read-only access. */
  readonlyToken?: string;
  /** JOBS_DATA_DIR as given; the server resolves it (see defaults.dataDir). */
  dataDir?: string;
  /** Not an env var: how long a job that ignores its aborted signal is waited for. */
  abortGraceMs: number;
  port: number;
  // Webhooks
  /** Posted when any job ends (completed, failed, cancelled); JOBS_WEBHOOK_URL. */
  webhookUrl?: string;
  /** Signs every delivery (HMAC-SHA256); JOBS_WEBHOOK_SECRET, required once a webhook is set. */
  webhookSecret?: string;
  // Built-in jobs: send-email
  /** smtp:// or smtps:// URL with the login in it (SMTP_URL); unset, send-email writes .eml files to the data folder instead. */
  smtpUrl?: string;
  /** The From of an email whose params name none (JOBS_MAIL_FROM). */
  mailFrom: string;
  // database-backup and report built-in jobs
  /** JOBS_BACKUP_DIR as given (relative to the project root); unset, backups/ in the data folder. */
  backupDir?: string;
  /** JOBS_BACKUP_KEY decoded: 32 bytes, or unset for backups that are compressed but not encrypted. */
  backupKey?: Buffer;
  /** Backups the database-backup job keeps when its params name no `keep`. */
  backupKeep: number;
  /** JOBS_BACKUP_CRON: when set, the database-backup job's code schedule; unset, it has none. */
  backupCron?: string;
  /** JOBS_REPORT_CRON: when set, the report job's code schedule; unset, it has none. */
  reportCron?: string;
  // Encrypted params
  /** JOBS_ENCRYPTION_KEYS: the first key encrypts the params a class lists in `static encrypt`, every key decrypts; null when unset. */
  encryptionKeys: Keyring | null;
  // Metrics and logs
  /** May read GET /api/metrics and nothing else (a Prometheus scraper's Bearer token); JOBS_METRICS_TOKEN. */
  metricsToken?: string;
  /** How every process writes its log: readable lines ('text') or one JSON object per line ('json'); LOG_FORMAT. */
  logFormat: LogFormat;
}

/** Parses the environment into a Config, or throws a JobsError naming every bad variable. */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new JobsError('config', `Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const urlVariable = e.JOBS_DATABASE_URL !== undefined ? 'JOBS_DATABASE_URL' : e.DATABASE_URL !== undefined ? 'DATABASE_URL' : undefined;
  const databaseUrl = e.JOBS_DATABASE_URL ?? e.DATABASE_URL ?? defaults.databaseUrl;
  const urlProblem = databaseUrlProblem(databaseUrl);
  if (urlProblem && urlVariable) {
    const elsewhere = urlVariable === 'DATABASE_URL' ? '. If DATABASE_URL is your app\'s other database, set JOBS_DATABASE_URL for Fluent Jobs' : '';
    throw new JobsError('config', `Invalid configuration: ${urlVariable} ${urlProblem}${elsewhere}`);
  }
  // A claim can wait the whole busy timeout for the write lock before its job starts; a lease no longer than that could expire first.
  if (e.JOBS_LEASE_MS <= e.JOBS_BUSY_TIMEOUT_MS) {
    throw new JobsError('config', `Invalid configuration: JOBS_LEASE_MS (${e.JOBS_LEASE_MS}) must be greater than JOBS_BUSY_TIMEOUT_MS (${e.JOBS_BUSY_TIMEOUT_MS}): `
      + 'a claim can wait the whole busy timeout for the write lock, so a lease that short could expire before its job starts');
  }
  for (const name of ['JOBS_ADMIN_TOKEN', 'JOBS_READONLY_TOKEN', 'JOBS_METRICS_TOKEN'] as const) {
    if ((e[name]?.length ?? Infinity) < defaults.minTokenLength) {
      throw new JobsError('config', `Invalid configuration: ${name} must be at least ${defaults.minTokenLength} characters (openssl rand -base64 32 makes a good one)`);
    }
  }
  if (e.JOBS_READONLY_TOKEN !== undefined && e.JOBS_READONLY_TOKEN === e.JOBS_ADMIN_TOKEN) {
    throw new JobsError('config', 'Invalid configuration: JOBS_READONLY_TOKEN must differ from JOBS_ADMIN_TOKEN');
  }
  // Metrics and logs: a scraper's token that is also another token would grant that token's rights.
  if (e.JOBS_METRICS_TOKEN !== undefined && (e.JOBS_METRICS_TOKEN === e.JOBS_ADMIN_TOKEN || e.JOBS_METRICS_TOKEN === e.JOBS_READONLY_TOKEN)) {
    throw new JobsError('config', 'Invalid configuration: JOBS_METRICS_TOKEN must differ from JOBS_ADMIN_TOKEN and JOBS_READONLY_TOKEN');
  }
  if (e.JOBS_WEBHOOK_URL !== undefined && !/^https?:\/\/[^/]/i.test(e.JOBS_WEBHOOK_URL)) {
    throw new JobsError('config', 'Invalid configuration: JOBS_WEBHOOK_URL must be an http:// or https:// URL');
  }
  if (e.JOBS_WEBHOOK_SECRET !== undefined && e.JOBS_WEBHOOK_SECRET.length < defaults.minTokenLength) {
    throw new JobsError('config', `Invalid configuration: JOBS_WEBHOOK_SECRET must be at least ${defaults.minTokenLength} characters (openssl rand -base64 32 makes a good one)`);
  }
  const queues = splitList(e.JOBS_QUEUES);
  if (e.JOBS_QUEUES !== undefined && queues.length === 0) {
    throw new JobsError('config', `Invalid configuration: JOBS_QUEUES names no queue ("${e.JOBS_QUEUES}"); leave it unset for every queue`);
  }
  return {
    databaseUrl,
    databaseAuthToken: e.DATABASE_AUTH_TOKEN,
    concurrency: e.JOBS_CONCURRENCY,
    queues,
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
    redactKeys: (splitList(e.JOBS_REDACT_KEYS).length ? splitList(e.JOBS_REDACT_KEYS) : [...defaults.redactKeys]).map((k) => k.toLowerCase()),
    adminToken: e.JOBS_ADMIN_TOKEN,
    readonlyToken: e.JOBS_READONLY_TOKEN,
    dataDir: e.JOBS_DATA_DIR,
    port: e.PORT,
    // Webhooks
    webhookUrl: e.JOBS_WEBHOOK_URL,
    webhookSecret: e.JOBS_WEBHOOK_SECRET,
    // Built-in jobs: send-email
    smtpUrl: checkedSmtpUrl(e.SMTP_URL),
    mailFrom: checkedMailFrom(e.JOBS_MAIL_FROM),
    // database-backup and report built-in jobs
    backupDir: e.JOBS_BACKUP_DIR,
    backupKey: e.JOBS_BACKUP_KEY === undefined ? undefined : parseBackupKey(e.JOBS_BACKUP_KEY),
    backupKeep: e.JOBS_BACKUP_KEEP,
    backupCron: checkedCron('JOBS_BACKUP_CRON', e.JOBS_BACKUP_CRON),
    reportCron: checkedCron('JOBS_REPORT_CRON', e.JOBS_REPORT_CRON),
    // Encrypted params
    encryptionKeys: readKeyring(e.JOBS_ENCRYPTION_KEYS),
    // Metrics and logs
    metricsToken: e.JOBS_METRICS_TOKEN,
    logFormat: e.LOG_FORMAT,
  };
}

function checkedSmtpUrl(url: string | undefined): string | undefined {
  const problem = url === undefined ? null : smtpUrlProblem(url);
  if (problem) throw new JobsError('config', `Invalid configuration: SMTP_URL ${problem}`);
  return url;
}

function checkedMailFrom(from: string): string {
  if (!parseMailbox(from)) throw new JobsError('config', `Invalid configuration: JOBS_MAIL_FROM must be an email address or "Name <address>", got "${from}"`);
  return from;
}

/** A cron expression from the environment (read in UTC), or a config error naming its variable. */
function checkedCron(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    checkSchedule(value, 'UTC');
  } catch (error) {
    throw new JobsError('config', `Invalid configuration: ${name}: ${(error as Error).message}`);
  }
  return value.trim();
}

/** JOBS_ENCRYPTION_KEYS as a keyring, or null when unset or blank; a config error naming the bad entry (never a key) otherwise. */
function readKeyring(text: string | undefined): Keyring | null {
  if (text === undefined || text.trim() === '') return null;
  try {
    return parseKeyring(text);
  } catch (error) {
    throw new JobsError('config', `Invalid configuration: JOBS_ENCRYPTION_KEYS: ${(error as Error).message}`);
  }
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
