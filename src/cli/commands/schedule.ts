import { getConfig } from '../../config/env';
import { nextFireAfter } from '../../core/cron';
import { JobsError } from '../../core/errors';
import { getEngine } from '../../db/client';
import { ringDoorbell } from '../../db/doorbell';
import type { Engine } from '../../db/engine';
import { registry } from '../../jobs';
import { buildNewJob } from '../../lib/jobs/job-spec';
import { buildScheduleSpec } from '../../lib/jobs/schedule-spec';
import { addSchedule, getSchedule, listSchedules, removeSchedule, runScheduleNow, setScheduleEnabled } from '../../store/cron';
import { listJobs } from '../../store/queries';
import { onePositional, parseCommand } from '../args';
import { renderSchedule, renderSchedules, success } from '../format';
import type { CliIo, Command } from '../io';
import { paramsFromArgs } from '../params';
import { appendActivity } from '../../store/activity';

const usage = 'bin/jobs schedule list | show <name> | add --name N --job J --cron "0 2 * * *" [--tz Europe/Paris] [--param k=v] [--desc D] [--misfire skip|run-once] | enable|disable|remove|run <name>';

/** Pollers sleep until the next fire; tell them the schedules changed. */
function announce(engine: Engine): void {
  if (engine.kind === 'file') ringDoorbell(engine.location, 'schedules');
}

const subcommands: Record<string, (argv: string[], io: CliIo) => Promise<number>> = {
  async list(argv, io) {
    const { values } = parseCommand(argv, { json: { type: 'boolean' } }, usage);
    const rows = await listSchedules(await getEngine());
    io.out(values.json ? JSON.stringify(rows.map((r) => ({ ...r, params: JSON.parse(r.params) })), null, 2) : renderSchedules(rows));
    return 0;
  },
  async show(argv, io) {
    const { values, positionals } = parseCommand(argv, { json: { type: 'boolean' } }, usage);
    const engine = await getEngine();
    const schedule = await getSchedule(engine, onePositional(positionals, 'schedule name', usage));
    const recent = await listJobs(engine, { scheduleName: schedule.name, limit: 10 });
    io.out(values.json ? JSON.stringify({ ...schedule, params: JSON.parse(schedule.params), recentJobs: recent.map((j) => j.id) }, null, 2) : renderSchedule(schedule, recent));
    return 0;
  },
  async add(argv, io) {
    const { values, positionals } = parseCommand(argv, {
      name: { type: 'string' }, job: { type: 'string' }, cron: { type: 'string' }, tz: { type: 'string' },
      param: { type: 'string', multiple: true }, params: { type: 'string' }, desc: { type: 'string' }, misfire: { type: 'string' },
    }, usage);
    if (positionals.length || !values.name || !values.job || !values.cron) throw new JobsError('usage', `schedule add needs --name, --job and --cron.\nUsage: ${usage}`);
    const config = getConfig();
    const spec = buildScheduleSpec(registry.resolve(values.job), {
      name: values.name, cron: values.cron, timezone: values.tz, params: paramsFromArgs(values.param, values.params),
      description: values.desc, misfire: values.misfire,
    }, config);
    const now = Date.now();
    const nextRunAt = nextFireAfter(spec.cron, spec.timezone, now);
    const engine = await getEngine();
    await addSchedule(engine, spec, nextRunAt, now);
    await appendActivity(engine, { actor: 'cli', action: 'schedule.add', target: spec.name, details: { job: spec.jobName, cron: spec.cron, timezone: spec.timezone } }, now);
    announce(engine);
    io.out(`${success('added')} schedule ${spec.name}: ${spec.jobName} at "${spec.cron}" (${spec.timezone}); next run ${nextRunAt ? new Date(nextRunAt).toISOString() : 'never'}`);
    return 0;
  },
  enable: (argv, io) => toggle(argv, io, true),
  disable: (argv, io) => toggle(argv, io, false),
  async remove(argv, io) {
    const { positionals } = parseCommand(argv, {}, usage);
    const name = onePositional(positionals, 'schedule name', usage);
    const engine = await getEngine();
    await removeSchedule(engine, name);
    await appendActivity(engine, { actor: 'cli', action: 'schedule.remove', target: name }, Date.now());
    announce(engine);
    io.out(`${success('removed')} schedule ${name} (the jobs it enqueued stay)`);
    return 0;
  },
  async run(argv, io) {
    const { positionals } = parseCommand(argv, {}, usage);
    const engine = await getEngine();
    const schedule = await getSchedule(engine, onePositional(positionals, 'schedule name', usage));
    const now = Date.now();
    const job = { ...buildNewJob(registry.resolve(schedule.jobName), JSON.parse(schedule.params), {}, getConfig(), now), scheduleName: schedule.name };
    await runScheduleNow(engine, schedule.name, job, now);
    await appendActivity(engine, { actor: 'cli', action: 'schedule.run', target: schedule.name, jobIds: [job.id] }, now);
    if (engine.kind === 'file') ringDoorbell(engine.location, 'ready');
    io.out(`${success('enqueued')} ${job.name} ${job.id} from schedule ${schedule.name}`);
    return 0;
  },
};

async function toggle(argv: string[], io: CliIo, enabled: boolean): Promise<number> {
  const { positionals } = parseCommand(argv, {}, usage);
  const engine = await getEngine();
  const schedule = await getSchedule(engine, onePositional(positionals, 'schedule name', usage));
  const now = Date.now();
  // Fires missed while it was disabled are not run: it resumes from now.
  const nextRunAt = enabled ? nextFireAfter(schedule.cron, schedule.timezone, now) : null;
  await setScheduleEnabled(engine, schedule.name, enabled, nextRunAt, now);
  await appendActivity(engine, { actor: 'cli', action: enabled ? 'schedule.enable' : 'schedule.disable', target: schedule.name }, now);
  announce(engine);
  io.out(`${success(enabled ? 'enabled' : 'disabled')} schedule ${schedule.name}${enabled && nextRunAt ? `; next run ${new Date(nextRunAt).toISOString()}` : ''}`);
  return 0;
}

export const scheduleCommand: Command = {
  summary: 'cron schedules: list, show, add, enable, disable, remove, run now',
  usage,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    const handler = sub === undefined ? undefined : subcommands[sub];
    if (!handler) throw new JobsError('usage', `${sub === undefined ? 'Give a schedule command' : `Unknown schedule command "${sub}"`}.\nUsage: ${usage}`);
    return handler(rest, io);
  },
};
