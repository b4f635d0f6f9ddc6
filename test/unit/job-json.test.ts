import { describe, expect, it } from 'vitest';
import type { AttemptRow, JobRow, ProgressRow } from '@/db/schema';
import type { JobDetail } from '@/store/queries';
import { errorName, jobDetailJson, jobJson, redact } from '@/lib/jobs/json';
import { defaults } from '@/config/defaults';
import { parseConfig as parseEnv } from '@/config/env';

const parseConfig = (env: Record<string, string>) => parseEnv(env as unknown as NodeJS.ProcessEnv);

const t = Date.UTC(2026, 11, 1, 10, 0, 0);
const options = { now: t, redactKeys: defaults.redactKeys.map((k) => k.toLowerCase()) };

const row: JobRow = {
  id: '019a885b-230f-7479-bb63-56f68f970aa1', name: 'send-email', queue: 'mail', state: 'pending', scheduled: 1, priority: 5,
  params: JSON.stringify({ to: 'a@b.c', apiKey: 'sk-live-1' }), result: null, error: 'SMTP said no', progress: 40,
  progressMessage: 'Rendering', attempts: 1, maxAttempts: 5, backoff: '{"type":"fixed","delay":1000}', timeoutMs: 30_000,
  runAt: t + 5_000, createdAt: t - 60_000, startedAt: t - 2_000, completedAt: null, lockedBy: null, lockedUntil: null,
  idempotencyKey: null, scheduleName: null, cancelRequested: 0, parentFailure: null, hasDependents: 1, concurrencyKey: null, concurrencyLimit: null,
  title: null, description: null, fingerprint: null,
};

describe('jobJson', () => {
  it('gives exactly the documented fields, times as ISO-8601 UTC, flags as booleans', () => {
    expect(jobJson(row, [], options)).toStrictEqual({
      id: row.id, name: 'send-email', title: null, description: null, queue: 'mail', state: 'pending', label: 'retrying', priority: 5,
      params: { to: 'a@b.c', apiKey: '[redacted]' }, result: null, error: { message: 'SMTP said no', name: 'Error' },
      progress: { percent: 40, message: 'Rendering' }, attempts: 1, maxAttempts: 5,
      runAt: '2026-12-01T10:00:05.000Z', createdAt: '2026-12-01T09:59:00.000Z', startedAt: '2026-12-01T09:59:58.000Z',
      completedAt: null, lease: null, idempotencyKey: null, concurrencyKey: null, schedule: null, dependsOn: [], cancelRequested: false,
    });
  });

  it('never shows an internal code: no sub-state number, dependents flag, parent-failure policy, backoff or timeout', () => {
    const shown = jobJson({ ...row, parentFailure: 'run', scheduled: 3 }, ['019a0000-0000-7000-8000-000000000001'], options);
    for (const key of ['scheduled', 'hasDependents', 'parentFailure', 'backoff', 'timeoutMs', 'lockedBy', 'lockedUntil', 'progressMessage', 'scheduleName', 'concurrencyLimit', 'fingerprint']) {
      expect(shown).not.toHaveProperty(key);
    }
    expect(Object.values(shown)).not.toContain(3);
  });

  it('shows a running job with its lease, a cancel request, a schedule, its keys and its parents', () => {
    const running = { ...row, state: 'running' as const, scheduled: 0, lockedBy: 'host:123:ab12cd', lockedUntil: t + 30_000, cancelRequested: 1,
      scheduleName: 'nightly', idempotencyKey: 'k-1', concurrencyKey: 'export:7', concurrencyLimit: 1, result: null };
    expect(jobJson(running, ['019a0000-0000-7000-8000-000000000001'], options)).toMatchObject({
      state: 'running', label: 'running', lease: { worker: 'host:123:ab12cd', until: '2026-12-01T10:00:30.000Z' }, cancelRequested: true,
      schedule: 'nightly', idempotencyKey: 'k-1', concurrencyKey: 'export:7', dependsOn: ['019a0000-0000-7000-8000-000000000001'],
    });
  });

  it('labels a pending job by why it waits, and any other job by its state', () => {
    const label = (patch: Partial<JobRow>) => jobJson({ ...row, ...patch }, [], options).label;
    expect(label({ attempts: 0, scheduled: 1, runAt: t + 1 })).toBe('scheduled');
    expect(label({ attempts: 2, scheduled: 1, runAt: t + 1 })).toBe('retrying');
    expect(label({ attempts: 0, scheduled: 3, runAt: t })).toBe('blocked');
    expect(label({ attempts: 0, scheduled: 2, runAt: t })).toBe('paused');
    expect(label({ attempts: 0, scheduled: 4, runAt: t })).toBe('throttled');
    expect(label({ attempts: 0, scheduled: 5, runAt: t })).toBe('pending'); // ready in a rate-limited queue: its window is not known here
    expect(label({ attempts: 0, scheduled: 0, runAt: t - 1 })).toBe('pending');
    for (const state of ['completed', 'failed', 'cancelled'] as const) expect(label({ state, scheduled: 0 })).toBe(state);
  });

  it('shows a title and description as they were given, unmasked: they are a person\'s words, not params', () => {
    const titled = { ...row, title: 'Welcome mail for ada', description: 'token: resent after the bounce' };
    expect(jobJson(titled, [], options)).toMatchObject({ name: 'send-email', title: 'Welcome mail for ada', description: 'token: resent after the bounce' });
  });

  it('parses the result, and masks in it too', () => {
    const done = { ...row, state: 'completed' as const, scheduled: 0, result: JSON.stringify({ sent: [{ id: 1, token: 't' }] }), completedAt: t, error: null };
    expect(jobJson(done, [], options)).toMatchObject({ result: { sent: [{ id: 1, token: '[redacted]' }] }, completedAt: '2026-12-01T10:00:00.000Z', error: null });
  });
});

describe('redact', () => {
  it('masks the named keys at any depth, inside arrays, whatever the case of the key and whatever the value', () => {
    const params = { user: { profile: { ApiKey: 'k', password: { nested: 1 } }, list: [{ Authorization: 'Bearer x' }, 'token'] }, token: null, name: 'ada' };
    expect(redact(params, options.redactKeys)).toEqual({
      user: { profile: { ApiKey: '[redacted]', password: '[redacted]' }, list: [{ Authorization: '[redacted]' }, 'token'] }, token: '[redacted]', name: 'ada',
    });
  });

  it('leaves what it was given unchanged, and keys only similar to a named one', () => {
    const params = { secret: 's', accessToken: 'a', secrets: ['x'] };
    expect(redact(params, options.redactKeys)).toEqual({ secret: '[redacted]', accessToken: 'a', secrets: ['x'] });
    expect(params.secret).toBe('s');
  });

  it('JOBS_REDACT_KEYS replaces the default keys, compared case-insensitively; empty keeps the defaults', () => {
    const custom = parseConfig({ JOBS_REDACT_KEYS: 'SSN, cardNumber' }).redactKeys;
    expect(custom).toEqual(['ssn', 'cardnumber']);
    expect(redact({ ssn: 1, CardNumber: 2, password: 3 }, custom)).toEqual({ ssn: '[redacted]', CardNumber: '[redacted]', password: 3 });
    expect(parseConfig({ JOBS_REDACT_KEYS: ' ' }).redactKeys).toEqual(['password', 'token', 'secret', 'apikey', 'authorization']);
    expect(parseConfig({}).redactKeys).toEqual(['password', 'token', 'secret', 'apikey', 'authorization']);
  });
});

describe('jobDetailJson', () => {
  const attempt = (n: number, patch: Partial<AttemptRow>): AttemptRow => ({
    id: n, jobId: row.id, attempt: n, workerId: 'host:1:w', startedAt: t - 2_000, finishedAt: t - 1_000, outcome: 'failed',
    error: 'SMTP said no', errorStack: 'SmtpError: SMTP said no\n    at send (mail.ts:3:9)', logs: null, ...patch,
  });
  const progress: ProgressRow = { id: 1, jobId: row.id, attempt: 1, percent: 40, message: 'Rendering', at: t - 1_500 };
  const detail: JobDetail = {
    ...row, dependsOn: [], progressHistory: [progress],
    attemptHistory: [
      attempt(1, { outcome: 'lost', error: 'Lease expired', errorStack: null, workerId: null }),
      attempt(2, { logs: JSON.stringify([{ at: t - 1_900, level: 'info', message: 'sending', data: { to: 'a@b.c', auth: { apiKey: 'k' } } }, { at: t - 1_800, level: 'warn', message: 'slow' }]) }),
    ],
  };

  it('adds every attempt with its error, stack and parsed logs (data masked), and the progress history', () => {
    const shown = jobDetailJson(detail, options);
    expect(shown.attemptHistory).toStrictEqual([
      { attempt: 1, worker: null, startedAt: '2026-12-01T09:59:58.000Z', finishedAt: '2026-12-01T09:59:59.000Z', outcome: 'lost',
        error: { message: 'Lease expired', name: 'Error' }, stack: null, logs: [] },
      { attempt: 2, worker: 'host:1:w', startedAt: '2026-12-01T09:59:58.000Z', finishedAt: '2026-12-01T09:59:59.000Z', outcome: 'failed',
        error: { message: 'SMTP said no', name: 'SmtpError' }, stack: 'SmtpError: SMTP said no\n    at send (mail.ts:3:9)',
        logs: [
          { at: '2026-12-01T09:59:58.100Z', level: 'info', message: 'sending', data: { to: 'a@b.c', auth: { apiKey: '[redacted]' } } },
          { at: '2026-12-01T09:59:58.200Z', level: 'warn', message: 'slow' },
        ] },
    ]);
    expect(shown.progressHistory).toStrictEqual([{ attempt: 1, percent: 40, message: 'Rendering', at: '2026-12-01T09:59:58.500Z' }]);
    expect(shown.params).toEqual({ to: 'a@b.c', apiKey: '[redacted]' });
  });

  it("names the job's error after its last attempt's, and says Error when the last attempt did not record it", () => {
    expect(jobDetailJson(detail, options).error).toEqual({ message: 'SMTP said no', name: 'SmtpError' });
    const failedByParent = { ...detail, error: 'A job it depends on did not complete: x was failed' };
    expect(jobDetailJson(failedByParent, options).error).toEqual({ message: failedByParent.error, name: 'Error' });
  });

  it('reads an error name from the first line of a stack', () => {
    expect(errorName('TypeError: x is undefined\n    at f (a.ts:1:1)')).toBe('TypeError');
    expect(errorName('NonRetryableError\n    at f (a.ts:1:1)')).toBe('NonRetryableError');
    expect(errorName('Error [ERR_X]: bad')).toBe('Error');
    expect(errorName(null)).toBe('Error');
  });
});
