import crypto from 'node:crypto';
import { setMaxListeners } from 'node:events';
import os from 'node:os';
import type { Config } from '../config/env';
import { WorkerShutdownError } from '../core/errors';
import { startCheckpointer, type Checkpointer } from '../db/checkpointer';
import { defaults } from '../config/defaults';
import { listenDoorbell, type DoorbellListener } from '../db/doorbell';
import type { Engine } from '../db/engine';
import type { JobRow } from '../db/schema';
import { nextScheduledAt, promoteDueJobs } from '../store/claim';
import { listQueueLimits } from '../store/limits';
import { markWorkerStopped, registerWorker } from '../store/workers';
import type { JobRegistry } from '../lib/jobs/registry';
import { LeaseKeeper } from '../lib/jobs/lease-keeper';
import { runClaimedJob } from '../lib/jobs/run-claimed';
import { Claimer } from './claimer';
import { Reaper } from './reaper';
import { WakeSignal } from './wake-signal';
import type { WorkerLog } from './log';

export interface WorkerOptions {
  engine: Engine;
  config: Config;
  registry: JobRegistry;
  /** Queues in the order they are served; empty takes every queue. */
  queues: readonly string[];
  concurrency: number;
  /** Stop by itself once nothing is runnable. */
  drain?: boolean;
  log: WorkerLog;
}

/**
 * One worker: claims due jobs under a lease up to its concurrency, runs them,
 * settles each, and sleeps until the doorbell, a finished job, the next
 * scheduled job or the poll interval wakes it.
 */
export class Worker {
  readonly id = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  private readonly running = new Map<string, Promise<void>>();
  private readonly wakeUp = new WakeSignal();
  private readonly shutdown = new AbortController();
  private readonly keeper: LeaseKeeper;
  private readonly reaper: Reaper;
  private readonly claimer: Claimer;
  private doorbell?: DoorbellListener;
  private checkpointer?: Checkpointer;
  private stopping = false;
  private nextDueAt = 0;
  private dueCheckedAt = 0;
  private loopDone?: Promise<void>;
  private stopped?: Promise<void>;

  constructor(private readonly options: WorkerOptions) {
    const { engine, config, log } = options;
    setMaxListeners(0, this.shutdown.signal); // one listener per running job, detached when it ends
    this.claimer = new Claimer(engine, this.id, options.queues, config.leaseMs);
    this.keeper = new LeaseKeeper(engine, this.id, config.leaseMs, (e) => log.error('heartbeat failed', e));
    this.reaper = new Reaper(engine, config.leaseMs, (jobs) => {
      for (const job of jobs) log.reaped(job);
      this.wakeUp.wake();
    }, (e) => log.error('reaping expired leases failed', e));
  }

  /** Registers the worker and starts its loops; resolves once it is listening for work. */
  async start(): Promise<void> {
    const { engine, queues, concurrency } = this.options;
    await registerWorker(engine, { id: this.id, host: os.hostname(), pid: process.pid, queues, concurrency, now: Date.now() });
    if (engine.kind === 'file') {
      this.doorbell = await listenDoorbell(engine.location, this.id.replace(/[^\w-]/g, '_'), (kinds) => {
        if (kinds.has('cancel')) void this.keeper.beat(); // a job of ours may have been cancelled
        if (!kinds.has('ready') && !kinds.has('scheduled') && !kinds.has('limits')) return; // nothing new to claim
        if (kinds.has('scheduled') || kinds.has('limits')) this.nextDueAt = 0;
        this.claimer.forgetEmpty();
        this.wakeUp.wake();
      });
    }
    this.checkpointer = await startCheckpointer(engine, defaults.checkpointIntervalMs, this.options.config.busyTimeoutMs);
    this.keeper.start();
    this.reaper.start();
    await this.reaper.reapNow();
    this.loopDone = this.loop();
    this.options.log.started(this);
  }

  /** Resolves when the loop has ended: after stop(), or by itself in drain mode. */
  get done(): Promise<void> {
    return this.loopDone ?? Promise.resolve();
  }

  get activeJobs(): number {
    return this.running.size;
  }

  private async loop(): Promise<void> {
    const { config, log } = this.options;
    let yieldedAt = Date.now();
    while (!this.stopping) {
      // Under a steady stream of quick jobs every await here can resolve at once; give timers
      // (heartbeats, the reaper) and sockets a turn of the event loop now and then.
      if (Date.now() - yieldedAt > 20) {
        await new Promise((resolve) => setImmediate(resolve));
        yieldedAt = Date.now();
      }
      const free = this.options.concurrency - this.running.size;
      let claimed: JobRow[] = [];
      let rateLimitedWaiting = false;
      if (free > 0) {
        try {
          await this.promoteDueJobs();
          const round = await this.claimer.claim(free, Date.now());
          claimed = round.jobs;
          rateLimitedWaiting = round.nextStartAt !== null;
          if (round.nextStartAt !== null) this.nextDueAt = Math.min(this.nextDueAt, round.nextStartAt);
        } catch (error) {
          log.error('claiming jobs failed', error);
        }
        for (const job of claimed) this.run(job);
        if (claimed.length === free) continue; // there may be more
        // Drained: nothing due, nothing running, and no due job only waiting for its queue's rate.
        if (this.options.drain && claimed.length === 0 && this.running.size === 0 && !rateLimitedWaiting) break;
      }
      await this.wakeUp.wait(Math.min(config.pollIntervalMs, this.nextDueAt - Date.now()));
    }
    await Promise.all(this.running.values());
  }

  /**
   * Scheduled jobs that came due join the claim index, free slots of
   * concurrency keys are granted, and the queues' rate limits are read again.
   * Done when a job is known to be due, and at least once per poll interval,
   * since jobs delayed or retried by other processes (or over a remote
   * connection) ring no bell.
   */
  private async promoteDueJobs(): Promise<void> {
    const now = Date.now();
    if (now < this.nextDueAt && now - this.dueCheckedAt < this.options.config.pollIntervalMs) return;
    this.dueCheckedAt = now;
    const { engine } = this.options;
    await promoteDueJobs(engine, now);
    this.claimer.setRateLimited((await listQueueLimits(engine)).map((limit) => limit.queue));
    this.claimer.forgetEmpty();
    this.nextDueAt = (await nextScheduledAt(engine)) ?? Number.POSITIVE_INFINITY;
  }

  private run(job: JobRow): void {
    const { engine, config, registry, log } = this.options;
    const runner = { engine, config, workerId: this.id, keeper: this.keeper, stop: this.shutdown.signal };
    const task = runClaimedJob(runner, job, registry.get(job.name))
      .then(({ settled }) => {
        if (settled.nextRunAt !== undefined) this.nextDueAt = Math.min(this.nextDueAt, settled.nextRunAt);
      })
      .catch((error) => log.error(`settling job ${job.id} failed; its lease will expire and it will run again`, error))
      .finally(() => {
        this.running.delete(job.id);
        this.wakeUp.wake();
      });
    this.running.set(job.id, task);
  }

  /**
   * Stops claiming, gives running jobs `graceMs` to finish, then aborts the
   * rest (their signal fires) and puts them back to pending. A second call
   * with 0 ends a grace period already under way.
   */
  stop(graceMs = this.options.config.shutdownGraceMs): Promise<void> {
    this.stopping = true;
    this.wakeUp.wake();
    this.stopped ??= this.shutDown(graceMs);
    if (graceMs === 0) this.abortRunning();
    return this.stopped;
  }

  private abortRunning(): void {
    if (this.running.size && !this.shutdown.signal.aborted) this.shutdown.abort(new WorkerShutdownError());
  }

  private async shutDown(graceMs: number): Promise<void> {
    const grace = setTimeout(() => this.abortRunning(), graceMs);
    await this.done; // the loop ends once the jobs it started have settled
    clearTimeout(grace);
    this.reaper.stop();
    await this.keeper.stop();
    await this.doorbell?.close();
    await this.checkpointer?.stop();
    await markWorkerStopped(this.options.engine, this.id, Date.now()).catch((e) => this.options.log.error('marking the worker stopped failed', e));
    this.options.log.stopped(this);
  }
}
