import { describe, expect, it, beforeAll } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { enqueueJobs } from '@/store/enqueue';
import { dependsOnOf, getJobDetail, jobIdLookups, resolveJobId } from '@/store/queries';
import { shortJobId } from '@/core/ids';
import type { JobsError } from '@/core/errors';

const db = useTempDatabase();
const row = { name: 'demo', queue: 'ids', priority: 0, params: '{}', maxAttempts: 1, backoff: null, timeoutMs: 1000, runAt: 0, idempotencyKey: null };

// Three jobs of one laterMany: their first 13 characters (what a table used to show) are the same.
const batch = ['019a885b-230f-7479-bb63-56f68f970aa1', '019a885b-230f-7000-8000-000000001234', '019a885b-230f-7111-8000-0000000d0aa2'];
// Two jobs whose last 4 characters are the same.
const sameTail = ['019a9000-0000-7000-8000-00000000beef', '019a9001-0000-7000-8000-00000001beef'];
// One id starts with what another ends with.
const starts = '01a0cafe-0000-7000-8000-000000000001';
const ends = '019a9100-0000-7000-8000-000001a0cafe';

async function failure(typed: string): Promise<JobsError> {
  return resolveJobId(await db.engine(), typed).then(() => { throw new Error(`"${typed}" resolved`); }, (e: JobsError) => e);
}

beforeAll(async () => {
  await enqueueJobs(await db.engine(), [...batch, ...sameTail, starts, ends].map((id) => ({ ...row, id })), 0);
});

describe('resolveJobId', () => {
  it('takes the full id, with or without dashes, and a unique prefix', async () => {
    const engine = await db.engine();
    for (const id of batch) {
      expect(await resolveJobId(engine, id)).toBe(id);
      expect(await resolveJobId(engine, id.replace(/-/g, '').toUpperCase())).toBe(id);
    }
    expect(await resolveJobId(engine, '019a885b230f7479')).toBe(batch[0]);
  });

  it('tells apart the jobs of one laterMany by their short form, written with … or ...', async () => {
    const engine = await db.engine();
    for (const id of batch) {
      expect(await resolveJobId(engine, shortJobId(id))).toBe(id);
      expect(await resolveJobId(engine, shortJobId(id).replace('…', '...'))).toBe(id);
    }
  });

  it('takes a unique tail of 4+ characters, with or without its dashes', async () => {
    const engine = await db.engine();
    expect(await resolveJobId(engine, '0aa1')).toBe(batch[0]);
    expect(await resolveJobId(engine, 'bb63-56f68f970aa1')).toBe(batch[0]);
    expect(await resolveJobId(engine, 'bb6356f68f970aa1')).toBe(batch[0]);
    expect(await resolveJobId(engine, '…1234')).toBe(batch[1]);
  });

  it('lists the matches of an ambiguous prefix, tail or short form (ambiguous_id)', async () => {
    const prefix = await failure('019a885b-230f');
    expect(prefix.code).toBe('ambiguous_id');
    expect(prefix.details?.matches).toEqual([...batch].sort());
    expect(prefix.message).toContain(`"019a885b-230f" matches 3 jobs; give more characters:\n  ${[...batch].sort().join('\n  ')}`);
    const tail = await failure('beef');
    expect(tail.code).toBe('ambiguous_id');
    expect(tail.details?.matches).toEqual(sameTail);
    expect((await failure('019a…beef')).details?.matches).toEqual(sameTail);
  });

  it('reads a plain value as a prefix first; a leading … makes it a tail', async () => {
    const engine = await db.engine();
    expect(await resolveJobId(engine, '01a0cafe')).toBe(starts);
    expect(await resolveJobId(engine, '…01a0cafe')).toBe(ends);
  });

  it('says not_found for a value that names no job, and bad_request for one that cannot', async () => {
    expect((await failure('deadbeef')).code).toBe('not_found');
    expect((await failure('019a885b…ffff')).code).toBe('not_found');
    expect((await failure('019a885b-230f-7479-bb63-56f68f970aa2')).code).toBe('not_found');
    expect((await failure('zz')).code).toBe('bad_request');
  });
});

describe('id lookup query plans', () => {
  const plan = async (query: { toSQL(): { sql: string; params: unknown[] } }) => {
    const { sql, params } = query.toSQL();
    const rows = await (await db.engine()).all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params as never);
    return rows.map((r) => r.detail).join('\n');
  };

  it('a prefix, alone or with a tail, is a range scan of the id index', async () => {
    const engine = await db.engine();
    expect(await plan(jobIdLookups.startingWith(engine, '019a885b-230f', ''))).toMatch(/^SEARCH jobs USING COVERING INDEX sqlite_autoindex_jobs_1 \(id>\? AND id<\?\)$/);
    expect(await plan(jobIdLookups.startingWith(engine, '019a885b', '0aa1'))).toMatch(/^SEARCH jobs USING COVERING INDEX sqlite_autoindex_jobs_1 \(id>\? AND id<\?\)$/);
  });

  it('a bare tail scans the id index, never the table', async () => {
    expect(await plan(jobIdLookups.endingWith(await db.engine(), '0aa1'))).toMatch(/^SCAN jobs USING COVERING INDEX sqlite_autoindex_jobs_1$/);
  });
});

describe('dependsOnOf', () => {
  it('reads the parents of a page of jobs in one call, and leaves out jobs without any', async () => {
    const engine = await db.engine();
    const child = '019a9200-0000-7000-8000-00000000c001';
    await enqueueJobs(engine, [{ ...row, id: child, dependsOn: [sameTail[1], sameTail[0]] }], 0);
    const parents = await dependsOnOf(engine, [child, sameTail[0], batch[0]]);
    expect([...parents]).toEqual([[child, [...sameTail].sort()]]);
    expect(await dependsOnOf(engine, [])).toEqual(new Map());
    expect((await getJobDetail(engine, child)).dependsOn).toEqual([...sameTail].sort());
  });
});
