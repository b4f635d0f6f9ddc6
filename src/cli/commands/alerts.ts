import { defaults } from '../../config/defaults';
import { getConfig } from '../../config/env';
import { parseAlertRule } from '../../core/alert-rule';
import { JobsError } from '../../core/errors';
import { getEngine } from '../../db/client';
import { registry } from '../../jobs';
import { addAlertRuleChecked } from '../../lib/alerts/add-rule';
import { sendTestAlert } from '../../lib/alerts/send-test';
import { listAlertRules, readAlertStates, removeAlertRule } from '../../store/alerts';
import { onePositional, parseCommand } from '../args';
import { commandList } from '../command-list';
import { success } from '../format';
import { renderAlertRules } from '../format-alerts';
import { alertRuleJson } from '../../lib/alerts/rule-json';
import type { Command } from '../io';

const { usage } = commandList.alerts;

const addOptions = {
  name: { type: 'string' }, kind: { type: 'string' }, job: { type: 'string' }, queue: { type: 'string' }, schedule: { type: 'string' },
  threshold: { type: 'string' }, window: { type: 'string' }, 'min-count': { type: 'string' }, notify: { type: 'string' }, json: { type: 'boolean' },
} as const;

export const alertsCommand: Command = {
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'list' || sub === undefined) {
      const { values } = parseCommand(rest, { json: { type: 'boolean' } }, usage);
      const engine = await getEngine();
      const states = await readAlertStates(engine);
      const rules = (await listAlertRules(engine)).map((rule) => alertRuleJson(rule, states));
      io.out(values.json ? JSON.stringify(rules, null, 2) : renderAlertRules(rules));
      return 0;
    }
    if (sub === 'add') {
      const { values, positionals } = parseCommand(rest, addOptions, usage);
      if (positionals.length > 0) throw new JobsError('usage', `Unexpected argument "${positionals[0]}".\nUsage: ${usage}`);
      const rule = parseAlertRule({ ...values, minCount: values['min-count'] });
      await addAlertRuleChecked(await getEngine(), getConfig(), registry, rule, Date.now());
      io.out(`${success('added')} alert rule ${rule.name} (${rule.kind}); the cron poller checks it every ${defaults.alertCheckIntervalMs / 1000} s`);
      return 0;
    }
    if (sub === 'remove' || sub === 'test') {
      const { positionals } = parseCommand(rest, {}, usage);
      const name = onePositional(positionals, 'alert rule name', usage);
      const engine = await getEngine();
      if (sub === 'remove') {
        await removeAlertRule(engine, name);
        io.out(`${success('removed')} alert rule ${name}`);
      } else {
        const jobId = await sendTestAlert(engine, getConfig(), registry, name, Date.now());
        io.out(`${success('enqueued')} a test notification of ${name}: job ${jobId} (a worker delivers it)`);
      }
      return 0;
    }
    throw new JobsError('usage', `Unknown alerts command "${sub}".\nUsage: ${usage}`);
  },
};
