import type { Config } from '../../config/env';
import type { AlertRule } from '../../core/alerts';
import type { Engine } from '../../db/engine';
import { getAlertRule } from '../../store/alerts';
import { enqueueJobs } from '../../store/enqueue';
import type { JobRegistry } from '../jobs/registry';
import { alertBody } from './check';
import { notificationJob } from './notification';

/** Enqueues a test notification of a rule now, whatever its state; returns the delivering job's id. not_found if no such rule. */
export async function sendTestAlert(engine: Engine, config: Config, registry: JobRegistry, name: string, now: number): Promise<string> {
  const rule = (await getAlertRule(engine, name)) as AlertRule;
  const body = alertBody(rule, { firing: true, subject: '', message: 'a test notification, sent by hand' }, now, true);
  const [id] = await enqueueJobs(engine, [notificationJob(rule.notify, body, registry, config, now)], now);
  return id;
}
