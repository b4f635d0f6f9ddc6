import crypto from 'node:crypto';
import os from 'node:os';
import type { Config } from '../config/env';
import { defaults } from '../config/defaults';
import { planFires } from '../core/cron';
import { describeError } from '../core/errors';
import { listenDoorbell, ringDoorbell, type DoorbellListener } from '../db/doorbell';
import type { Engine } from '../db/engine';
import type { CronJobRow } from '../db/schema';
import { dueSchedules, fireSchedule, nextScheduleFireAt, syncCodeSchedules } from '../store/cron';
import { jobEvents } from '../lib/jobs/events';
import { buildNewJob } from '../lib/jobs/job-spec';
import type { JobRegistry } from '../lib/jobs/registry';
import { codeSchedules } from '../lib/jobs/schedule-spec';
import { checkAlerts } from '../lib/alerts/check';
import { syncWebhooks } from '../lib/webhooks/sync';
import { WakeSignal } from '../worker/wake-signal';

/** What a line is about, for LOG_FORMAT=json: its event, and the schedule, fire time and job it names. */
export interface PollerLogFields {
  event: string;
  schedule?: string;
  fireAt?: string;
  jobId?: string;
  jobName?: string;
  error?: string;
}

export interface PollerLog {
  info(line: string, fields?: PollerLogFields): void;
  error(line: string, fields?: PollerLogFields): void;
}

export interface PollerOptions {
  engine: Engine;
  config: Config;
  registry: JobRegistry;
  log: PollerLog;
  /** Injectable for tests; Date.now by default. */
  now?: () => number;
}

/**
 * The cron poller: fires due schedules from cron_jobs, each fire enqueuing
 * exactly one job however many pollers run (the store claims each fire with a
 * compare-and-set and inserts the job in the same batch), then sleeps until
 * the next fire, or until a doorbell ring says the schedules changed.
 */
export class CronPoller {
  readonly id = `cron:${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  private readonly wakeUp = new WakeSignal();
  private readonly now: () => number;
  private doorbell?: DoorbellListener;
  private stopping = false;
  private loopDone?: Promise<void>;
  private alertsCheckedAt = -Infinity;

  constructor(private readonly options: PollerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Syncs the schedules declared in code, then starts the loop. */
  async start(): Promise<void> {
    const { engine, config, registry } = this.options;
    await syncCodeSchedules(engine, codeSchedules(registry, config, this.now()), this.now());
    await syncWebhooks(engine, registry, config);
    if (engine.kind === 'file') {
      this.doorbell = await listenDoorbell(engine.location, this.id.replace(/[^\w-]/g, '_'), (kinds) => {
        if (kinds.has('schedules')) this.wakeUp.wake();
      });
    }
    this.loopDone = this.loop();
    const wakeUps = engine.kind === 'file' ? '' : ` (remote database: no doorbell, which needs a local file; polls every ${config.pollIntervalMs} ms)`;
    this.options.log.info(`cron poller ${this.id} started${wakeUps}`, { event: 'cron.started' });
  }

  private async loop(): Promise<void> {
    const { engine, config } = this.options;
    // A remote database's schedules may change on another machine, which no ring reaches.
    const maxSleepMs = engine.kind === 'file' ? defaults.cronMaxSleepMs : config.pollIntervalMs;
    while (!this.stopping) {
      let sleepMs = maxSleepMs;
      try {
        await this.tick(this.now());
        await this.checkAlertsWhenDue(this.now());
        const next = await nextScheduleFireAt(engine);
        if (next !== null) sleepMs = Math.min(maxSleepMs, Math.max(0, next - this.now()));
        sleepMs = Math.min(sleepMs, Math.max(0, this.alertsCheckedAt + defaults.alertCheckIntervalMs - this.now()));
      } catch (error) {
        this.options.log.error(`cron tick failed: ${describeError(error).message}`, { event: 'cron.tick_failed', error: describeError(error).message });
        sleepMs = Math.min(maxSleepMs, config.pollIntervalMs);
      }
      await this.wakeUp.wait(sleepMs);
    }
  }

  /** Fires every schedule due at `now`; returns how many jobs this poller enqueued. */
  async tick(now: number): Promise<number> {
    let enqueued = 0;
    for (const schedule of await dueSchedules(this.options.engine, now)) enqueued += await this.fireDue(schedule, now);
    if (enqueued > 0 && this.options.engine.kind === 'file') ringDoorbell(this.options.engine.location, 'ready');
    return enqueued;
  }

  /** Checks the alert rules every alertCheckIntervalMs; a failed check is logged and tried again at the next interval. */
  private async checkAlertsWhenDue(now: number): Promise<void> {
    if (now - this.alertsCheckedAt < defaults.alertCheckIntervalMs) return;
    this.alertsCheckedAt = now;
    const { engine, config, registry, log } = this.options;
    try {
      const { notified, failed } = await checkAlerts(engine, config, registry, now);
      for (const { rule, message } of failed) log.error(`alert ${rule} not checked: ${message}`, { event: 'alert.check_failed', error: message });
      for (const change of notified) {
        log.info(`alert ${change.rule}${change.subject ? ` (${change.subject})` : ''} ${change.firing ? 'fired' : 'cleared'}: ${change.message}; notification job ${change.jobId}`, {
          event: change.firing ? 'alert.fired' : 'alert.cleared', jobId: change.jobId,
        });
      }
      if (notified.length > 0 && engine.kind === 'file') ringDoorbell(engine.location, 'ready');
    } catch (error) {
      const message = describeError(error).message;
      log.error(`alert check failed: ${message}`, { event: 'alert.check_failed', error: message });
    }
  }

  private async fireDue(schedule: CronJobRow, now: number): Promise<number> {
    const { engine, config, registry, log } = this.options;
    let expected = schedule.nextRunAt!;
    const about = (fireAt: number) => ({ schedule: schedule.name, jobName: schedule.jobName, fireAt: iso(fireAt) });
    const plan = planFires(schedule.cron, schedule.timezone, expected, now, schedule.misfire, config.cronMisfireGraceMs);
    /** Claims one step of the schedule; resolves with whether this poller won it, and the job it enqueued. */
    const fire = async (fireAt: number | null, nextRunAt: number | null, missed: number) => {
      const jobClass = registry.get(schedule.jobName);
      let job = null;
      if (fireAt !== null && jobClass) {
        try {
          job = buildNewJob(jobClass, JSON.parse(schedule.params), { idempotencyKey: `cron:${schedule.name}:${fireAt}` }, config, now);
          job.scheduleName = schedule.name;
        } catch (error) {
          const message = describeError(error).message;
          log.error(`schedule ${schedule.name}: fire at ${iso(fireAt)} not run: ${message}`, { event: 'cron.fire_failed', ...about(fireAt), error: message });
        }
      } else if (fireAt !== null) {
        log.error(`schedule ${schedule.name}: fire at ${iso(fireAt)} not run: no job named "${schedule.jobName}" is registered`, {
          event: 'cron.fire_failed', ...about(fireAt), error: `no job named "${schedule.jobName}" is registered`,
        });
      }
      const dropped = missed + (fireAt !== null && !job ? 1 : 0);
      const { claimed, enqueued } = await fireSchedule(engine, { name: schedule.name, expectedNextRunAt: expected, nextRunAt, job, fireAt: job ? fireAt : null, missed: dropped, now });
      if (claimed && job && !enqueued) {
        log.info(`schedule ${schedule.name}: fire at ${iso(fireAt!)} not run: a job with its key is still pending or running`, { event: 'cron.fire_held', ...about(fireAt!) });
      }
      return { won: claimed, job: enqueued ? job : null };
    };

    if (plan.missed > 0 && schedule.misfire === 'skip') {
      const resumeAt = plan.fires[0] ?? plan.next;
      if (!(await fire(null, resumeAt, plan.missed)).won) return 0; // another poller is on it
      log.info(`schedule ${schedule.name}: skipped ${plan.missed >= 10_000 ? '10000+' : plan.missed} missed fire(s) (misfire policy skip)`, {
        event: 'cron.missed', schedule: schedule.name, jobName: schedule.jobName,
      });
      if (resumeAt === null) return 0;
      expected = resumeAt;
    }
    let enqueued = 0;
    for (let i = 0; i < plan.fires.length; i++) {
      const fireAt = plan.fires[i];
      const nextRunAt = plan.fires[i + 1] ?? plan.next;
      const missed = i === 0 && schedule.misfire === 'run-once' ? plan.missed : 0;
      const { won, job } = await fire(fireAt, nextRunAt, missed);
      if (!won) break; // another poller took this fire and moves on from here
      if (job) {
        enqueued += 1;
        jobEvents.emit('job.enqueued', { jobId: job.id, jobName: job.name, queue: job.queue, runAt: job.runAt });
        log.info(`schedule ${schedule.name}: fired for ${iso(fireAt)}: job ${job.id}`, { event: 'cron.fired', ...about(fireAt), jobId: job.id });
      }
      if (nextRunAt === null) break;
      expected = nextRunAt;
    }
    return enqueued;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp.wake();
    await this.loopDone;
    await this.doorbell?.close();
    this.options.log.info(`cron poller ${this.id} stopped`, { event: 'cron.stopped' });
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
