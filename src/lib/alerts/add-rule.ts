import type { Config } from '../../config/env';
import type { AlertRule } from '../../core/alerts';
import type { Engine } from '../../db/engine';
import { addAlertRule } from '../../store/alerts';
import type { JobRegistry } from '../jobs/registry';
import { alertBody } from './check';
import { notificationJob } from './notification';

/**
 * Adds a checked rule, once its notification job is known to be buildable
 * (a URL too long for http-request, say, is refused now with invalid_params,
 * not found out by the poller later); a taken name is a conflict.
 */
export async function addAlertRuleChecked(engine: Engine, config: Config, registry: JobRegistry, rule: AlertRule, now: number): Promise<void> {
  notificationJob(rule.notify, alertBody(rule, { firing: true, subject: '', message: 'the check at add' }, now, true), registry, config, now);
  await addAlertRule(engine, rule, now);
}
