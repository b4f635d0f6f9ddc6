import { describe, expect, it } from 'vitest';
import { newJobId } from '@/core/ids';
import { paramFilters } from '@/lib/jobs/param-filter';
import { listActivity } from '@/store/activity';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { listJobIds, listJobs, paramSearchLimit } from '@/store/queries';
import { bulkChunkSize, runBulk } from '@/server/api/bulk';
import { useTempDatabase } from '../helpers/db';

const db = useTempDatabase();
const job = (queue: string, params: unknown): NewJob => ({
  id: newJobId(), name: 'demo', queue, priority: 0, params: JSON.stringify(params), maxAttempts: 1, backoff: null, timeoutMs: 1000, runAt: 0, idempotencyKey: null,
});
const filters = (...pairs: [string, string][]) => paramFilters(pairs, ['apikey']);

describe('param filters', () => {
  it('match a string, a number, a boolean or null at a nested path, and a number given as text only as a string', async () => {
    const engine = await db.engine();
    const rows = [job('p', { user: { id: 42, name: 'ada' } }), job('p', { user: { id: '42' } }), job('p', { dry: true, note: null }), job('p', { dry: 'true' })];
    await enqueueJobs(engine, rows, 0);
    const ids = async (...pairs: [string, string][]) => (await listJobIds(engine, { queue: 'p', params: filters(...pairs), limit: 10 })).reverse();
    expect(await ids(['user.id', '42'])).toEqual([rows[0].id, rows[1].id]);
    expect(await ids(['user.name', 'ada'], ['user.id', '42'])).toEqual([rows[0].id]);
    expect(await ids(['dry', 'true'])).toEqual([rows[2].id, rows[3].id]);
    expect(await ids(['note', 'null'])).toEqual([rows[2].id]);
    expect(await ids(['user', 'ada'])).toEqual([]); // an object is no string
  });

  it('refuse a masked key and a path that is not dotted words', () => {
    expect(() => filters(['account.apiKey', 'x'])).toThrow(/masked/);
    expect(() => filters(['a..b', 'x'])).toThrow(/Invalid param path/);
    expect(() => filters(['$[0]', 'x'])).toThrow(/Invalid param path/);
  });

  it(`look only at the newest ${paramSearchLimit.toLocaleString('en')} jobs: an older match is not found, a plain filter still finds it`, async () => {
    const engine = await db.engine();
    const old = job('bound', { needle: 'here' });
    await enqueueJobs(engine, [old], 0);
    for (let i = 0; i < paramSearchLimit; i += 10_000) await enqueueJobs(engine, Array.from({ length: 10_000 }, () => job('bound-hay', {})), 0);
    expect(await listJobs(engine, { params: filters(['needle', 'here']), limit: 10 })).toEqual([]);
    expect((await listJobs(engine, { queue: 'bound', limit: 10 })).map((r) => r.id)).toEqual([old.id]);
  }, 120_000);
});

describe('bulk actions', () => {
  it(`cancel ${bulkChunkSize * 2 + 1} jobs matched by a filter in chunks of ${bulkChunkSize}, with one action-log entry that counts them all and keeps the first 1,000 ids`, async () => {
    const engine = await db.engine();
    await enqueueJobs(engine, Array.from({ length: bulkChunkSize * 2 + 1 }, (_, i) => job('bulk', { i })), 0);
    expect(await runBulk(engine, { action: 'cancel', filter: { queue: 'bulk' }, dryRun: true }, 'admin')).toEqual({ matched: bulkChunkSize * 2 + 1 });
    expect(await runBulk(engine, { action: 'cancel', filter: { queue: 'bulk' } }, 'admin')).toEqual({ done: bulkChunkSize * 2 + 1 });
    expect(await listJobIds(engine, { queue: 'bulk', state: 'pending', limit: 10 })).toEqual([]);
    const [entry] = (await listActivity(engine, { limit: 1 })).entries;
    expect([entry.actor, entry.action, entry.jobCount, entry.jobIds.length]).toEqual(['admin', 'job.cancel', bulkChunkSize * 2 + 1, 1_000]);
    expect(await runBulk(engine, { action: 'cancel', filter: { queue: 'bulk' } }, 'admin')).toEqual({ done: 0 });
  });
});
