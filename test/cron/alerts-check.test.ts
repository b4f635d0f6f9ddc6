import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { startHttpServer, type TestHttpServer } from '../helpers/http-server';
import { waitFor } from '../helpers/processes';
import { getConfig } from '@/config/env';
import { parseAlertRule } from '@/core/alert-rule';
import { newJobId } from '@/core/ids';
import { CronPoller } from '@/cron/poller';
import { HttpRequestJob, registry } from '@/jobs';
import { executeFromDatabase } from '@/lib/jobs/execute-from-database';
import { addAlertRule, readAlertStates } from '@/store/alerts';
import { enqueueJobs } from '@/store/enqueue';

const db = useTempDatabase();
let receiver: TestHttpServer;
beforeAll(async () => {
  receiver = await startHttpServer();
});
afterAll(() => receiver.close());

describe('the cron poller checks the alert rules on its loop', () => {
  it('a started poller notices a queue with ready jobs and no worker, records the alert as firing and enqueues one Slack notification', async () => {
    const engine = await db.engine();
    const now = Date.now();
    await addAlertRule(engine, parseAlertRule({ name: 'unserved', kind: 'no-worker', queue: 'lonely', notify: `slack:${receiver.origin}/slack` }), now);
    await enqueueJobs(engine, [{
      id: newJobId(), name: 'demo', queue: 'lonely', priority: 0, params: '{}', maxAttempts: 1, backoff: null, timeoutMs: 1000, runAt: now, idempotencyKey: null,
    }], now);
    const lines: string[] = [];
    const poller = new CronPoller({ engine, config: getConfig(), registry, log: { info: (l) => lines.push(l), error: (l) => lines.push(`error: ${l}`) } });
    await poller.start();
    try {
      const line = await waitFor(() => lines.find((l) => l.startsWith('alert unserved (lonely) fired')), 'the poller to fire the alert', 20_000);
      const jobId = /notification job (\S+)$/.exec(line)![1];
      expect(await readAlertStates(engine, 'unserved')).toMatchObject([{ subject: 'lonely', firing: 1 }]);
      await executeFromDatabase(HttpRequestJob, jobId);
      expect(receiver.received.map((r) => JSON.parse(r.body).text)).toEqual([expect.stringMatching(/^\[FIRING\] alert unserved \(no-worker\): queue lonely: 1 job\(s\) ready, 0 live worker/)]);
    } finally {
      await poller.stop();
    }
    expect(lines.filter((l) => l.startsWith('error'))).toEqual([]);
  });
});
