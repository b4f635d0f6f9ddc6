// What bench/admin-scale.ts asks the admin pages for, read from the filled database before
// the server starts: jobs, a group and rows that exist, so each page is asked for something
// real and its answer can be checked for it.
import type { Engine } from '../src/db/engine';
import { paramSearchLimit } from '../src/store/job-list';
import { benchWorkers } from './admin-fill';

export interface BenchTargets {
  /** The newest failed job (first on the failed list), and the 51st (first on its page 2). */
  newestFailed: string;
  secondPageFailed: string;
  /** A user id in params.user.id of a job well inside the newest paramSearchLimit jobs, and that job. */
  userId: number;
  userJob: string;
  /** The biggest failure group and its newest job. */
  group: { name: string; fingerprint: string; failed: number; newestJob: string };
  /** The newest ready pending job (the most jobs ahead of it in its queue), and a running job the dead worker holds. */
  newestReady: string;
  deadWorkersJob: string;
  aliveWorker: string;
  deadWorker: string;
  schedule: string;
}

export async function readTargets(engine: Engine, pageSize: number): Promise<BenchTargets> {
  const failed = await engine.all<{ id: string }>(
    `SELECT id FROM jobs INDEXED BY jobs_finished_idx WHERE state = 'failed' AND completed_at IS NOT NULL ORDER BY completed_at DESC, id DESC LIMIT ?`, [pageSize + 1]);
  // Past the pending backlog and well before the search's bound (or 60% down a small table): a search that reads most of its window.
  const [{ total }] = await engine.all<{ total: number }>('SELECT sum(n) AS total FROM job_counts');
  const [user] = await engine.all<{ id: string; userId: number }>(
    `SELECT id, json_extract(params, '$.user.id') AS userId FROM jobs ORDER BY id DESC LIMIT 1 OFFSET ?`,
    [Math.floor(Math.min(paramSearchLimit, Number(total)) * 0.6)]);
  const [group] = await engine.all<{ name: string; fingerprint: string; failed: number }>(
    'SELECT name, fingerprint, failed FROM failure_groups WHERE failed > 0 ORDER BY failed DESC LIMIT 1');
  const [newestOfGroup] = await engine.all<{ id: string }>(
    `SELECT id FROM jobs INDEXED BY jobs_failure_idx WHERE state = 'failed' AND name = ? AND fingerprint = ? ORDER BY completed_at DESC, id DESC LIMIT 1`,
    [group.name, group.fingerprint]);
  const [ready] = await engine.all<{ id: string }>(`SELECT id FROM jobs WHERE state = 'pending' AND scheduled = 0 ORDER BY id DESC LIMIT 1`);
  const [held] = await engine.all<{ id: string }>(
    `SELECT id FROM jobs INDEXED BY jobs_owner_idx WHERE state = 'running' AND locked_by = ? LIMIT 1`, [benchWorkers.dead]);
  return {
    newestReady: ready.id,
    deadWorkersJob: held.id,
    newestFailed: failed[0].id,
    secondPageFailed: failed[pageSize].id,
    userId: Number(user.userId),
    userJob: user.id,
    group: { ...group, failed: Number(group.failed), newestJob: newestOfGroup.id },
    aliveWorker: benchWorkers.alive[0],
    deadWorker: benchWorkers.dead,
    schedule: 'nightly-report',
  };
}
