import type { Config } from '../../config/env';
import { alertChanges, alertText, goneText, judgeRule, type AlertChange, type AlertRule } from '../../core/alerts';
import { describeError } from '../../core/errors';
import type { Engine } from '../../db/engine';
import { listAlertRules, readAlertStates, transitionAlert } from '../../store/alerts';
import type { JobRegistry } from '../jobs/registry';
import { foldBeforeReading, observeRule } from './observe';
import { notificationJob, type AlertBody } from './notification';

/** A change this checker notified (it won the compare-and-set), with the id of the job that delivers it. */
export interface NotifiedChange extends AlertChange {
  rule: string;
  jobId: string;
}

export interface AlertCheck {
  notified: NotifiedChange[];
  /** Rules that could not be checked this time, and why; the others were. */
  failed: { rule: string; message: string }[];
}

/**
 * Judges every alert rule at `now` and, for each subject that started or
 * stopped firing, moves its state and enqueues its notification in one
 * batch (store/alerts.ts: transitionAlert). Several checkers may run at once
 * (one per cron poller): each judges, one wins each change, the others skip it.
 */
export async function checkAlerts(engine: Engine, config: Config, registry: JobRegistry, now: number): Promise<AlertCheck> {
  const rules = await listAlertRules(engine);
  if (rules.length === 0) return { notified: [], failed: [] };
  await foldBeforeReading(engine);
  const states = await readAlertStates(engine);
  const check: AlertCheck = { notified: [], failed: [] };
  for (const row of rules) {
    const rule = row as AlertRule;
    // One rule that cannot be judged or notified (a bad row, a read that failed) must not silence the others.
    try {
      const findings = judgeRule(rule, await observeRule(engine, rule, now, config.leaseMs), now);
      const mine = states.filter((s) => s.ruleName === rule.name).map((s) => ({ subject: s.subject, firing: s.firing === 1 }));
      for (const change of alertChanges(findings, mine, (subject) => goneText(rule, subject))) {
        const job = notificationJob(rule.notify, alertBody(rule, change, now), registry, config, now);
        if (await transitionAlert(engine, { ruleName: rule.name, subject: change.subject, firing: change.firing, message: change.message, job, now })) {
          check.notified.push({ ...change, rule: rule.name, jobId: job.id });
        }
      }
    } catch (error) {
      check.failed.push({ rule: rule.name, message: describeError(error).message });
    }
  }
  return check;
}

export function alertBody(rule: AlertRule, change: Pick<AlertChange, 'firing' | 'message' | 'subject'>, now: number, test = false): AlertBody {
  return {
    event: test ? 'alert.test' : change.firing ? 'alert.firing' : 'alert.resolved',
    rule: rule.name, kind: rule.kind, subject: change.subject, text: alertText(rule, change, test), at: new Date(now).toISOString(),
  };
}
