import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resetConfig } from '../../src/config/env';
import { closeEngine, getEngine, openEngine } from '../../src/db/client';
import type { DrainChild } from '../child-worker';
import { BenchNoopJob } from '../noop-job';

/** A fresh migrated database file in a temp dir, holding `jobs` pending no-op jobs enqueued `batch` at a time with laterMany. */
export async function filledQueue(jobs: number, batch: number, label: string): Promise<{ dir: string; url: string; cleanUp(): void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fluent-jobs-${label}-`));
  const url = `file:${path.join(dir, 'jobs.db')}`;
  process.env.DATABASE_URL = url;
  resetConfig();
  await getEngine(); // opens and migrates
  for (let start = 0; start < jobs; start += batch) {
    await BenchNoopJob.laterMany(Array.from({ length: Math.min(batch, jobs - start) }, (_, k) => ({ i: start + k })));
  }
  await closeEngine(); // the workers are other processes; this one only checks the file afterwards
  return { dir, url, cleanUp: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Resolves once `target` completions were counted, or rejects after `timeoutMs`. */
export function completionCounter(target: number, timeoutMs: number, onCount?: (total: number) => void) {
  let total = 0;
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const done = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  let timer: NodeJS.Timeout | undefined;
  return {
    done,
    /** Starts the time limit (once the workers were told to go). */
    arm: () => (timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${total}/${target} completed`)), timeoutMs)),
    hit(n: number) {
      total += n;
      onCount?.(total);
      if (total >= target) {
        clearTimeout(timer);
        resolve();
      }
    },
    get total() {
      return total;
    },
  };
}

export interface FileCheck {
  /** Jobs not completed once every worker reported its share done. */
  notCompleted: number;
  /** Jobs that took more than one attempt (a settle lost, a lease run out, a retry). */
  moreThanOneAttempt: number;
  /** Attempt rows with another outcome than completed, or an error. */
  badAttempts: number;
}

/** What the file says after a drain: every job completed in one attempt, no attempt with an error. */
export async function checkDrainedFile(url: string): Promise<FileCheck> {
  const engine = await openEngine(url, undefined, 5_000);
  try {
    const one = async (sql: string) => Number((await engine.all<{ n: number }>(sql))[0].n);
    return {
      notCompleted: await one(`SELECT count(*) AS n FROM jobs WHERE state != 'completed'`),
      moreThanOneAttempt: await one(`SELECT count(*) AS n FROM jobs WHERE attempts != 1`),
      badAttempts: await one(`SELECT count(*) AS n FROM job_attempts WHERE outcome != 'completed' OR error IS NOT NULL`),
    };
  } finally {
    await engine.close();
  }
}

/** Stops every child by its PID (each one: SIGTERM, then SIGKILL after 10 s). */
export async function stopAll(children: DrainChild[]): Promise<void> {
  await Promise.all(children.map((c) => c.stop()));
}
