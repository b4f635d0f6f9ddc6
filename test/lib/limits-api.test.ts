import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { clearQueueRateLimit, Job, JobsError, setQueueRateLimit } from '@/lib/jobs';
import { formatRateLimit, parseRateLimit } from '@/core/rate';
import { getJob } from '@/store/queries';
import { listQueueLimits } from '@/store/limits';

const db = useTempDatabase();

class TenantExportJob extends Job<{ tenantId: number }, null> {
  static jobName = 'tenant-export';
  static options = { concurrencyKey: (p: { tenantId: number }) => `export:${p.tenantId}`, concurrencyLimit: 2 };
  protected async perform() {
    return null;
  }
}

describe('concurrency keys on the Job API', () => {
  it('takes the key from the class (a function of the params) or from the call, with its limit', async () => {
    const engine = await db.engine();
    const fromClass = await TenantExportJob.later({ tenantId: 7 });
    expect(await getJob(engine, fromClass)).toMatchObject({ concurrencyKey: 'export:7', concurrencyLimit: 2, scheduled: 0 });
    const fromCall = await TenantExportJob.later({ tenantId: 7 }, { concurrencyKey: 'big-exports', concurrencyLimit: 1 });
    expect(await getJob(engine, fromCall)).toMatchObject({ concurrencyKey: 'big-exports', concurrencyLimit: 1 });
    const third = await TenantExportJob.later({ tenantId: 7 });
    expect(await getJob(engine, third)).toMatchObject({ concurrencyKey: 'export:7', scheduled: 0 }); // the second slot
    const fourth = await TenantExportJob.later({ tenantId: 7 });
    expect(await getJob(engine, fourth)).toMatchObject({ scheduled: 4 }); // waits for one
  });

  it('refuses a bad key or limit with a clear error and stores nothing', async () => {
    const engine = await db.engine();
    const before = (await engine.all<{ n: number }>(`SELECT count(*) AS n FROM jobs`))[0].n;
    await expect(TenantExportJob.later({ tenantId: 1 }, { concurrencyLimit: 0 })).rejects.toThrow(/concurrencyLimit must be a whole number >= 1, got 0/);
    await expect(TenantExportJob.later({ tenantId: 1 }, { concurrencyKey: '' })).rejects.toThrow(JobsError);
    expect((await engine.all<{ n: number }>(`SELECT count(*) AS n FROM jobs`))[0].n).toBe(before);
  });
});

describe('queue rate limits on the Job API', () => {
  it('sets, replaces and clears a limit, and refuses a bad one', async () => {
    const engine = await db.engine();
    await setQueueRateLimit('stripe', { max: 100, duration: '1m' });
    await setQueueRateLimit('stripe', { max: 50, duration: '30s' });
    expect(await listQueueLimits(engine)).toMatchObject([{ queue: 'stripe', rateMax: 50, rateDurationMs: 30_000 }]);
    await expect(setQueueRateLimit('stripe', { max: 0, duration: '1m' })).rejects.toThrow(/Invalid rate limit/);
    await expect(setQueueRateLimit('bad queue!', { max: 1, duration: '1m' })).rejects.toThrow(/Invalid queue name/);
    expect(await clearQueueRateLimit('stripe')).toBe(true);
    expect(await listQueueLimits(engine)).toEqual([]);
  });

  it('reads and prints rates as max/duration', () => {
    expect(parseRateLimit('100/1m')).toEqual({ max: 100, durationMs: 60_000 });
    expect(parseRateLimit({ max: 5, duration: 250 })).toEqual({ max: 5, durationMs: 250 });
    expect(() => parseRateLimit('100')).toThrow(/e.g. 100\/1m/);
    expect(() => parseRateLimit('1.5/1s')).toThrow(/Invalid rate limit/);
    expect(() => parseRateLimit('10/0s')).toThrow(/at least 1 ms/);
    expect(formatRateLimit({ max: 100, durationMs: 60_000 })).toBe('100/1m');
    expect(formatRateLimit({ max: 4, durationMs: 500 })).toBe('4/500ms');
  });
});
