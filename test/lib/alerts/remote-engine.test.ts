import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../helpers/db';
import { getConfig } from '@/config/env';
import { parseAlertRule } from '@/core/alert-rule';
import { newJobId } from '@/core/ids';
import { migrate } from '@/db/migrate';
import { openRemoteEngine } from '@/db/remote-engine';
import { registry } from '@/jobs';
import { checkAlerts } from '@/lib/alerts/check';
import { addAlertRule, readAlertStates } from '@/store/alerts';
import { claimJobs } from '@/store/claim';
import { enqueueJobs } from '@/store/enqueue';
import { getJob } from '@/store/queries';

// The alert check through the engine used for Turso / libSQL servers (@libsql/client's own
// SQLite on a file), so its batch, upsert-with-RETURNING and changes() guard run on libSQL too.
const dir = makeTempDir();
const engine = openRemoteEngine(`file:${path.join(dir, 'libsql.db')}`, undefined);
beforeAll(async () => {
  await migrate(engine);
});
afterAll(async () => {
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('alerts on the libSQL client engine', () => {
  it('fires and clears a queue-age alert once each, with one notification job per change, however many checks run at once', async () => {
    const t = Date.now();
    await addAlertRule(engine, parseAlertRule({ name: 'late', kind: 'queue-age', queue: 'slow', threshold: '1m', notify: 'slack:http://127.0.0.1:9/slack' }), t);
    await enqueueJobs(engine, [{ id: newJobId(), name: 'demo', queue: 'slow', priority: 0, params: '{}', maxAttempts: 1, backoff: null, timeoutMs: 1000, runAt: t, idempotencyKey: null }], t);
    const check = async (now: number) => (await checkAlerts(engine, getConfig(), registry, now)).notified;
    const fired = (await Promise.all([check(t + 2 * 60_000), check(t + 2 * 60_000), check(t + 2 * 60_000)])).flat();
    expect(fired).toMatchObject([{ rule: 'late', subject: 'slow', firing: true }]);
    const job = await getJob(engine, fired[0].jobId);
    expect({ name: job?.name, queue: job?.queue, params: JSON.parse(job!.params) }).toEqual({
      name: 'http-request', queue: 'http', params: { method: 'POST', url: 'http://127.0.0.1:9/slack', json: { text: expect.stringMatching(/^\[FIRING\] alert late/) } },
    });
    expect(await readAlertStates(engine, 'late')).toMatchObject([{ subject: 'slow', firing: 1 }]);
    await claimJobs(engine, { workerId: 'w', queues: ['slow'], limit: 1, now: t + 3 * 60_000, leaseMs: 60_000 });
    const cleared = (await Promise.all([check(t + 4 * 60_000), check(t + 4 * 60_000)])).flat();
    expect(cleared).toMatchObject([{ rule: 'late', subject: 'slow', firing: false }]);
    const [{ n }] = await engine.all<{ n: number }>(`SELECT count(*) AS n FROM jobs WHERE name = 'http-request'`);
    expect(Number(n)).toBe(2);
  });
});
