import crypto from 'node:crypto';
import { setMaxListeners } from 'node:events';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Config } from '../config/env';
import { isJobsError, WorkerShutdownError } from '../core/errors';
import { startCheckpointer, type Checkpointer } from '../db/checkpointer';
import { defaults } from '../config/defaults';
import { listenDoorbell, type DoorbellListener } from '../db/doorbell';
import type { Engine } from '../db/engine';
import type { ClaimedJob } from '../store/rows';
import { nextScheduledAt, promoteDueJobs } from '../store/claim';
import { attemptKey } from '../store/lease';
import { listQueueLimits } from '../store/limits';
import { hasUnsettledJobs } from '../store/queries';
import { markWorkerStopped, registerWorker } from '../store/workers';
import type { JobRegistry } from '../lib/jobs/registry';
import { LeaseKeeper } from '../lib/jobs/lease-keeper';
import { runClaimedJob } from '../lib/jobs/run-claimed';
import { SharedClock } from '../lib/jobs/shared-clock';
import { syncWebhooks, webhookTargetsOf } from '../lib/webhooks/sync';
import { checkKeysFor } from '../lib/jobs/encrypted-params';
import { Claimer } from './claimer';
import { ErrorBackoff } from './error-backoff';
import { logJobNotices } from './job-notices';
import { ChangeFeedPruner } from './change-feed-pruner';
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
  /**
   * Stop by itself once no job it could run is due, none runs in any worker
   * and none waits for a retry (PRODUCT.md, `bin/jobs worker --drain`).
   */
  drain?: boolean;
  log: WorkerLog;
}

/** How often a worker on a remote database measures its clock's offset to the server's. */
const clockSyncIntervalMs = 60_000;

/**
 * One worker: claims due jobs it can run under a lease up to its concurrency,
 * runs them, settles each, and sleeps until the doorbell, a finished job, the
 * next scheduled job or the poll interval wakes it. Every attempt is its own
 * entry (job and attempt number), so an attempt taken over and claimed again
 * by this same worker never runs beside, or writes for, the new one.
 */
export class Worker {
  readonly id = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  /** How it hears of new work, for its start-up line: said on a remote database, where the file-only parts are left out. */
  get wakeUps(): string | undefined {
    if (this.options.engine.kind === 'file') return undefined;
    return `remote database: no doorbell or checkpointer, which need a local file; polls every ${this.options.config.pollIntervalMs} ms`;
  }
  /** Attempts claimed and not yet settled, by attemptKey: a stop waits for these. */
  private readonly running = new Map<string, Promise<void>>();
  /**
   * The attempts among them whose job code still runs: these hold the worker's
   * slots. A job whose code has ended frees its slot while its settle is
   * written, so the claim of its successor commits with that settle.
   */
  private readonly performing = new Set<string>();
  private readonly wakeUp = new WakeSignal();
  private readonly shutdown = new AbortController();
  private readonly clock: SharedClock;
  private readonly names: string[];
  private readonly keeper: LeaseKeeper;
  private readonly reaper: Reaper;
  private readonly claimer: Claimer;
  private readonly claimErrors: ErrorBackoff;
  private readonly pruner: ChangeFeedPruner;
  private doorbell?: DoorbellListener;
  private checkpointer?: Checkpointer;
  private stopSyncing = () => {};
  private stopping = false;
  private nextDueAt = 0;
  private dueCheckedAt = 0;
  private loopDone?: Promise<void>;
  private stopped?: Promise<void>;

  constructor(private readonly options: WorkerOptions) {
    const { engine, config, log } = options;
    setMaxListeners(0, this.shutdown.signal); // one listener per running job, detached when it ends
    this.clock = new SharedClock(engine);
    this.names = options.registry.list().map((entry) => entry.name);
    this.claimer = new Claimer(engine, this.id, options.queues, config.leaseMs, this.names);
    this.keeper = new LeaseKeeper(engine, this.id, config.leaseMs, this.clock, this.reported('heartbeat failed'));
    this.reaper = new Reaper(engine, config.leaseMs, this.clock, (jobs) => {
      for (const job of jobs) log.reaped(job);
      this.wakeUp.wake();
    }, this.reported('reaping expired leases failed'));
    this.claimErrors = this.reported('claiming jobs failed');
    this.pruner = new ChangeFeedPruner(engine, this.clock, this.reported('pruning the change feed failed'));
  }

  /**
   * Each step that touches the database (`<doing> failed`) reports a failure once, again once a
   * minute while it lasts, and once when it works again: a full disk or a locked file is one clear
   * line, not a flood.
   */
  private reported(what: string): ErrorBackoff {
    const { config, log } = this.options;
    const doing = what.replace(/ failed.*$/, '');
    return new ErrorBackoff(
      config.pollIntervalMs,
      (error, failures) => log.error(failures > 1 ? `${doing} still fails (${failures} tries)` : what, error),
      (failures) => log.note(`${doing} works again after ${failures} failed tries`),
    );
  }

  /** Registers the worker and starts its loops; resolves once it is listening for work. */
  async start(): Promise<void> {
    const { engine, queues, concurrency } = this.options;
    // Configuration a worker cannot run with fails its start before it leaves any trace (a worker row, a timer).
    checkKeysFor(this.options.registry.list(), this.options.config.encryptionKeys);
    webhookTargetsOf(this.options.registry, this.options.config);
    this.stopSyncing = await this.clock.keepSynced(clockSyncIntervalMs);
    // register waits out a database locked by another process; the webhook sync after it then finds it free.
    await this.register(queues, concurrency);
    await syncWebhooks(engine, this.options.registry, this.options.config);
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
    this.pruner.start();
    await this.reaper.reapNow();
    this.loopDone = this.loop();
    this.options.log.started(this);
    logJobNotices(this.options.registry, this.options.log);
  }

  /**
   * Records the worker; a database that is locked by another process or out of
   * space for the moment is waited out (reported once), so a worker started
   * meanwhile (a replacement for a crashed one) starts late instead of dying.
   */
  private async register(queues: readonly string[], concurrency: number): Promise<void> {
    const { engine } = this.options;
    const waits = this.reported('registering the worker failed; trying again');
    for (;;) {
      try {
        await registerWorker(engine, { id: this.id, host: os.hostname(), pid: process.pid, queues, concurrency, jobNames: this.names, now: this.clock.now() });
        waits.succeeded();
        return;
      } catch (error) {
        const passing = isJobsError(error) && (error.code === 'database_busy' || error.code === 'database_unavailable');
        if (!passing || this.stopping) throw error;
        await new Promise((resolve) => setTimeout(resolve, waits.failed(error)));
      }
    }
  }

  /** Resolves when the loop has ended: after stop(), or by itself in drain mode. */
  get done(): Promise<void> {
    return this.loopDone ?? Promise.resolve();
  }

  get activeJobs(): number {
    return this.running.size;
  }

  private async loop(): Promise<void> {
    const { config } = this.options;
    let yieldedAt = Date.now();
    while (!this.stopping) {
      // Under a steady stream of quick jobs every await here can resolve at once; give timers
      // (heartbeats, the reaper) and sockets a turn of the event loop now and then.
      if (Date.now() - yieldedAt > 20) {
        await new Promise((resolve) => setImmediate(resolve));
        yieldedAt = Date.now();
      }
      let backoffMs: number | null = null;
      if (this.freeSlots() > 0) {
        let claimed: ClaimedJob[] = [];
        let asked = 0;
        let rateLimitedWaiting = false;
        const claimedAt = performance.now(); // the leases of what it claims run from before the claim was sent
        try {
          await this.promoteDueJobs();
          const round = await this.claimer.claim(() => this.freeSlots(), this.clock.now());
          claimed = round.jobs;
          asked = round.asked;
          rateLimitedWaiting = round.nextStartAt !== null;
          if (round.nextStartAt !== null) this.nextDueAt = Math.min(this.nextDueAt, round.nextStartAt);
          this.claimErrors.succeeded();
        } catch (error) {
          const longerMs = this.claimErrors.failed(error);
          // A busy error already waited the busy timeout for the lock: try again at the usual pace.
          backoffMs = isJobsError(error) && error.code === 'database_busy' ? config.pollIntervalMs : longerMs;
        }
        for (const job of claimed) this.run(job, claimedAt);
        if (asked > 0 && claimed.length === asked) continue; // there may be more
        if (this.options.drain && backoffMs === null && claimed.length === 0 && this.running.size === 0 && !rateLimitedWaiting && (await this.drained())) break;
      }
      await this.wakeUp.wait(backoffMs ?? Math.min(config.pollIntervalMs, this.nextDueAt - this.clock.now()));
    }
    await Promise.all(this.running.values());
  }

  /** Nothing left for a draining worker: no job of its own is due (just seen) and none runs or waits for a retry anywhere. */
  private async drained(): Promise<boolean> {
    try {
      return !(await hasUnsettledJobs(this.options.engine, { names: this.names, queues: this.options.queues }));
    } catch {
      return false; // the next round tries again, and reports it if claiming fails too
    }
  }

  /**
   * Scheduled jobs that came due join the claim index, free slots of
   * concurrency keys are granted, and the queues' rate limits are read again.
   * Done when a job is known to be due, and at least once per poll interval,
   * since jobs delayed or retried by other processes (or over a remote
   * connection) ring no bell.
   */
  private async promoteDueJobs(): Promise<void> {
    const now = this.clock.now();
    if (now < this.nextDueAt && now - this.dueCheckedAt < this.options.config.pollIntervalMs) return;
    this.dueCheckedAt = now;
    const { engine } = this.options;
    await promoteDueJobs(engine, now);
    this.claimer.setRateLimited((await listQueueLimits(engine)).map((limit) => limit.queue));
    this.claimer.forgetEmpty();
    this.nextDueAt = (await nextScheduledAt(engine)) ?? Number.POSITIVE_INFINITY;
  }

  private freeSlots(): number {
    return this.options.concurrency - this.performing.size;
  }

  private run(job: ClaimedJob, claimedAt: number): void {
    const { engine, config, registry, log } = this.options;
    const key = attemptKey(job.id, job.attempts);
    const runner = { engine, config, workerId: this.id, keeper: this.keeper, clock: this.clock, stop: this.shutdown.signal, warn: log.error };
    this.performing.add(key);
    const slotFreed = () => {
      this.performing.delete(key);
      this.wakeUp.wake();
    };
    const task = runClaimedJob(runner, job, registry.get(job.name), claimedAt, slotFreed)
      .then(({ settled }) => {
        if (settled.nextRunAt !== undefined) this.nextDueAt = Math.min(this.nextDueAt, settled.nextRunAt);
      })
      .catch((error) => log.error(`settling job ${job.id} attempt ${job.attempts} failed; its lease will expire and it will run again`, error))
      .finally(() => {
        this.running.delete(key);
        this.wakeUp.wake();
      });
    this.running.set(key, task);
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
    await this.pruner.stop();
    await this.keeper.stop();
    this.stopSyncing();
    await this.doorbell?.close();
    await this.checkpointer?.stop();
    await markWorkerStopped(this.options.engine, this.id, this.clock.now()).catch((e) => this.options.log.error('marking the worker stopped failed', e));
    this.options.log.stopped(this);
  }
}
