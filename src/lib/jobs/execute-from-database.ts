import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { getConfig } from '../../config/env';
import { JobsError } from '../../core/errors';
import { fromJson } from '../../core/json';
import { getEngine } from '../../db/client';
import { claimJobById } from '../../store/claim';
import { getJob, resolveJobId } from '../../store/queries';
import type { JobClass } from './job';
import { JobFailedError } from './job-failed-error';
import { jobNameOf } from './job-name';
import { LeaseKeeper } from './lease-keeper';
import { SharedClock } from './shared-clock';
import { metadataOf } from './metadata';
import { runClaimedJob } from './run-claimed';
import type { JobMetadata } from './types';

/**
 * Claims a stored pending job (due or not) for this process, runs it under a
 * lease like a worker would, records the attempt, and returns the result; a
 * failed attempt is retried or failed as a worker would, then thrown.
 */
export async function executeFromDatabase<P, R>(jobClass: JobClass<P, R>, idOrPrefix: string): Promise<{ data: R; metadata: JobMetadata }> {
  const engine = await getEngine();
  const config = getConfig();
  const id = await resolveJobId(engine, idOrPrefix);
  const stored = await getJob(engine, id);
  const name = jobNameOf(jobClass);
  if (stored && stored.name !== name) throw new JobsError('bad_request', `Job ${id} is a ${stored.name} job, not ${name}`);
  const workerId = `inline:${os.hostname()}:${process.pid}:${id.slice(-8)}`;
  const clock = new SharedClock(engine);
  await clock.sync();
  const claimedAt = performance.now();
  const job = await claimJobById(engine, { id, workerId, now: clock.now(), leaseMs: config.leaseMs });
  if (!job) {
    // The claim takes any pending job except one still blocked by its parents.
    const now = await getJob(engine, id);
    if (now?.state === 'pending') throw new JobsError('conflict', `Job ${id} still waits for the jobs it depends on (dependsOn); it can run once they have ended`);
    throw new JobsError('conflict', `Job ${id} is ${now?.state ?? 'gone'}; only a pending job can be executed`);
  }

  const keeper = new LeaseKeeper(engine, workerId, config.leaseMs, clock).start();
  try {
    const { settled } = await runClaimedJob({ engine, config, workerId, keeper, clock }, job, jobClass, claimedAt);
    const final = await getJob(engine, id);
    const metadata = metadataOf(final ?? job);
    if (settled.state === 'completed') return { data: fromJson<R>(final?.result) as R, metadata };
    throw new JobFailedError(`${name} ${settled.state === 'retrying' ? 'failed and will be retried' : settled.state}: ${metadata.error ?? ''}`, metadata);
  } finally {
    await keeper.stop();
  }
}
