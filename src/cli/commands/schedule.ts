import { getConfig } from '../../config/env';
import { JobsError } from '../../core/errors';
import type { CronJobRow } from '../../db/schema';
import { getEngine } from '../../db/client';
import { registry } from '../../jobs';
import { redact } from '../../lib/jobs/json';
import { addScheduleAs, removeScheduleAs, runScheduleAs, setScheduleEnabledAs } from '../../lib/jobs/schedule-actions';
import { getSchedule, listSchedules } from '../../store/cron';
import { listJobs } from '../../store/queries';
import { onePositional, parseCommand } from '../args';
import { renderSchedule, renderSchedules, success } from '../format';
import type { CliIo, Command } from '../io';
import { commandList } from '../command-list';
import { paramsFromArgs } from '../params';

const { usage } = commandList.schedule;

const subcommands: Record<string, (argv: string[], io: CliIo) => Promise<number>> = {
  async list(argv, io) {
    const { values } = parseCommand(argv, { json: { type: 'boolean' } }, usage);
    const rows = await listSchedules(await getEngine());
    io.out(values.json ? JSON.stringify(rows.map((r) => ({ ...r, params: shownParams(r) })), null, 2) : renderSchedules(rows));
    return 0;
  },
  async show(argv, io) {
    const { values, positionals } = parseCommand(argv, { json: { type: 'boolean' } }, usage);
    const engine = await getEngine();
    const schedule = await getSchedule(engine, onePositional(positionals, 'schedule name', usage));
    const recent = await listJobs(engine, { scheduleName: schedule.name, limit: 10 });
    const params = shownParams(schedule);
    io.out(values.json ? JSON.stringify({ ...schedule, params, recentJobs: recent.map((j) => j.id) }, null, 2) : renderSchedule({ ...schedule, params: JSON.stringify(params) }, recent));
    return 0;
  },
  async add(argv, io) {
    const { values, positionals } = parseCommand(argv, {
      name: { type: 'string' }, job: { type: 'string' }, cron: { type: 'string' }, tz: { type: 'string' },
      param: { type: 'string', multiple: true }, params: { type: 'string' }, desc: { type: 'string' }, misfire: { type: 'string' },
    }, usage);
    if (positionals.length || !values.name || !values.job || !values.cron) throw new JobsError('usage', `schedule add needs --name, --job and --cron.\nUsage: ${usage}`);
    const added = await addScheduleAs(await getEngine(), registry, {
      name: values.name, job: values.job, cron: values.cron, timezone: values.tz, params: paramsFromArgs(values.param, values.params),
      description: values.desc, misfire: values.misfire,
    }, 'cli');
    io.out(`${success('added')} schedule ${added.name}: ${added.jobName} at "${added.cron}" (${added.timezone}); next run ${nextRun(added.nextRunAt) ?? 'never'}`);
    return 0;
  },
  enable: (argv, io) => toggle(argv, io, true),
  disable: (argv, io) => toggle(argv, io, false),
  async remove(argv, io) {
    const { positionals } = parseCommand(argv, {}, usage);
    const name = onePositional(positionals, 'schedule name', usage);
    await removeScheduleAs(await getEngine(), name, 'cli');
    io.out(`${success('removed')} schedule ${name} (the jobs it enqueued stay)`);
    return 0;
  },
  async run(argv, io) {
    const { positionals } = parseCommand(argv, {}, usage);
    const job = await runScheduleAs(await getEngine(), registry, onePositional(positionals, 'schedule name', usage), 'cli');
    io.out(`${success('enqueued')} ${job.name} ${job.id} from schedule ${job.scheduleName}`);
    return 0;
  },
};

/** A schedule's params as people see them, masked as in a job's JSON: "[encrypted]" and JOBS_REDACT_KEYS. */
function shownParams(schedule: CronJobRow): unknown {
  return redact(JSON.parse(schedule.params), getConfig().redactKeys);
}

async function toggle(argv: string[], io: CliIo, enabled: boolean): Promise<number> {
  const { positionals } = parseCommand(argv, {}, usage);
  const schedule = await setScheduleEnabledAs(await getEngine(), onePositional(positionals, 'schedule name', usage), enabled, 'cli');
  const next = enabled ? nextRun(schedule.nextRunAt) : null;
  io.out(`${success(enabled ? 'enabled' : 'disabled')} schedule ${schedule.name}${next ? `; next run ${next}` : ''}`);
  return 0;
}

const nextRun = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const scheduleCommand: Command = {
  async run(argv, io) {
    const [sub, ...rest] = argv;
    const handler = sub === undefined ? undefined : subcommands[sub];
    if (!handler) throw new JobsError('usage', `${sub === undefined ? 'Give a schedule command' : `Unknown schedule command "${sub}"`}.\nUsage: ${usage}`);
    return handler(rest, io);
  },
};
