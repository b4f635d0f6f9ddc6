import { performance } from 'node:perf_hooks';
import { getConfig } from '@/config/env';
import { getEngine } from '@/db/client';
import type { JobClass } from '@/lib/jobs';
import { readJobsJson } from '@/lib/jobs';
import { LeaseKeeper } from '@/lib/jobs/lease-keeper';
import { runClaimedJob } from '@/lib/jobs/run-claimed';
import { claimJobs } from '@/store/claim';
import { getJob } from '@/store/queries';

/**
 * Claims the stored job `id` (it must be the one due job of its name) and
 * runs one attempt of it in this process, as a worker would, then returns the
 * stored row, its public label, and the wall-clock instants around the attempt.
 */
export async function runOneAttempt(jobClass: JobClass, name: string, id: string) {
  const engine = await getEngine();
  const config = getConfig();
  const clock = { now: () => Date.now() };
  const keeper = new LeaseKeeper(engine, 'w-test', config.leaseMs, clock);
  const sentAt = performance.now();
  const [job] = await claimJobs(engine, { workerId: 'w-test', queues: [], names: [name], limit: 1, now: Date.now(), leaseMs: config.leaseMs });
  if (job?.id !== id) throw new Error(`claimed ${job?.id ?? 'nothing'}, expected ${id}: another due ${name} job is in the way`);
  const before = Date.now();
  const { settled, run } = await runClaimedJob({ engine, config, workerId: 'w-test', keeper, clock }, job, jobClass, sentAt);
  const after = Date.now();
  const row = (await getJob(engine, id))!;
  const [json] = await readJobsJson(engine, [row]);
  return { settled, run, row, label: json.label, before, after };
}
