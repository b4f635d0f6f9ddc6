import type { Config } from '../../config/env';
import { parseNotify } from '../../core/alerts';
import type { NewJob } from '../../store/enqueue';
import { buildNewJob } from '../jobs/job-spec';
import type { JobRegistry } from '../jobs/registry';

/** What a generic webhook receives (signed with JOBS_WEBHOOK_SECRET, as job webhooks are). */
export interface AlertBody {
  event: 'alert.firing' | 'alert.resolved' | 'alert.test';
  rule: string;
  kind: string;
  subject: string;
  text: string;
  at: string;
}

/**
 * The job that delivers one notification, not yet stored: http-request
 * for a Slack-compatible webhook (`{"text": ...}`) or a generic signed one
 * (an AlertBody, signed at each attempt), send-email for an address.
 */
export function notificationJob(notify: string, body: AlertBody, registry: JobRegistry, config: Config, now: number): NewJob {
  const target = parseNotify(notify);
  const title = `alert ${body.rule}: ${body.event}`;
  if (target.via === 'email') {
    return { ...buildNewJob(registry.get('send-email')!, { to: target.address, subject: body.text.slice(0, 200), text: `${body.text}\n\nat ${body.at}\n` }, {}, config, now), title };
  }
  const params = target.via === 'slack'
    ? { method: 'POST', url: target.url, json: { text: body.text } }
    : { method: 'POST', url: target.url, body: JSON.stringify(body), sign: true, headers: { 'content-type': 'application/json', 'x-fluent-jobs-event': body.event } };
  return { ...buildNewJob(registry.get('http-request')!, params, {}, config, now), title };
}
