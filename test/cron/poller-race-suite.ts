import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TempDatabase } from '../helpers/db';
import { root, spawnProcess, stopProcess, waitFor } from '../helpers/processes';
import { addSchedule, getSchedule } from '@/store/cron';

// Three poller processes on one database: on a local file (test/integration/cron.test.ts) and
// through the remote engine on tursodb (test/remote/torture-tursodb.test.ts).
export function describePollerRace(title: string, db: TempDatabase): void {
  describe(title, () => {
    it('three pollers side by side enqueue exactly one job per fire of a per-second schedule, over 200+ fires', async () => {
      const engine = await db.engine();
      const start = Math.floor(Date.now() / 1000) * 1000 - 200_000; // 200 fires behind: all three race to catch up
      await addSchedule(engine, { name: 'race', jobName: 'demo', cron: '* * * * * *', timezone: 'UTC', params: '{}', description: null, misfire: 'skip' }, start, Date.now());
      const pollerEnv = { DATABASE_URL: db.url, JOBS_CRON_MISFIRE_GRACE_MS: '600000' };
      const pollers = [1, 2, 3].map(() => spawnProcess([path.join(root, 'src/cron/main.ts')], pollerEnv));
      await Promise.all(pollers.map((p) => p.waitForOutput('started')));
      const count = async () => Number((await engine.all<{ n: number }>(`SELECT count(*) AS n FROM jobs WHERE schedule_name = 'race'`))[0].n);
      await waitFor(async () => (await count()) >= 206, 'the catch-up and a few live fires', 60_000);
      for (const p of pollers) expect(await stopProcess(p)).toBe(0);

      const keys = (await engine.all<{ k: string }>(`SELECT idempotency_key AS k FROM jobs WHERE schedule_name = 'race'`)).map((r) => r.k);
      const fires = keys.map((k) => Number(k.split(':')[2])).sort((a, b) => a - b);
      expect(new Set(fires).size).toBe(fires.length); // never twice
      expect(fires[0]).toBe(start);
      expect(fires.every((t, i) => i === 0 || t - fires[i - 1] === 1_000)).toBe(true); // never skipped
      expect(await getSchedule(engine, 'race')).toMatchObject({ runsTotal: fires.length, lastRunAt: fires[fires.length - 1], runsMissed: 0 });
      const winners = pollers.filter((p) => /fired for/.test(p.output())).length;
      expect(winners).toBeGreaterThanOrEqual(1);
    });
  });
}
