import type { AlertRule, Observation } from '../../core/alerts';
import type { Engine } from '../../db/engine';
import { countWorkersServing, readEndedCounts, readFailedByName, readReadyQueues, readScheduleMisses } from '../../store/alerts';
import { foldBeforeReading } from '../../store/fold';
import { oldestReadyJob } from '../../store/stats';

/**
 * What a rule's kind looks at, read at `now`: a few rows of job_minutes,
 * job_counts, workers or cron_jobs, and for queue ages a few seeks of the
 * claim indexes; never a scan of the jobs table. Call foldBeforeReading first
 * (once per check), so the counts include every change made so far.
 */
export async function observeRule(engine: Engine, rule: AlertRule, now: number, leaseMs: number): Promise<Observation> {
  const since = now - rule.windowMs;
  switch (rule.kind) {
    case 'failure-rate':
      return { kind: rule.kind, ...(await readEndedCounts(engine, { since, jobName: rule.jobName, queue: rule.queue })) };
    case 'job-failed':
      return { kind: rule.kind, names: await readFailedByName(engine, { since, jobName: rule.jobName, queue: rule.queue }) };
    case 'queue-age': {
      const queues = rule.queue ? [rule.queue] : (await readReadyQueues(engine, null)).map((q) => q.queue);
      const seen = [];
      for (const queue of queues) seen.push({ queue, oldestReadyAt: (await oldestReadyJob(engine, queue))?.runAt ?? null });
      return { kind: rule.kind, queues: seen };
    }
    case 'no-worker': {
      const seen = [];
      for (const { queue, ready } of await readReadyQueues(engine, rule.queue)) seen.push({ queue, ready, serving: await countWorkersServing(engine, queue, now, leaseMs) });
      return { kind: rule.kind, queues: seen };
    }
    case 'schedule-missed':
      return { kind: rule.kind, schedules: await readScheduleMisses(engine, rule.scheduleName) };
  }
}

export { foldBeforeReading };
