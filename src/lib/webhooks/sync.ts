import type { Config } from '../../config/env';
import { defaults } from '../../config/defaults';
import { JobsError } from '../../core/errors';
import type { Engine } from '../../db/engine';
import { syncWebhookTargets, type WebhookState, type WebhookTarget } from '../../store/webhooks';
import type { JobRegistry } from '../jobs/registry';

const allEnds: readonly WebhookState[] = ['completed', 'failed', 'cancelled'];

/**
 * The webhook targets this process was started with: JOBS_WEBHOOK_URL for
 * every job, and each registered class's `static webhook`. A set webhook
 * with no JOBS_WEBHOOK_SECRET is a config error: deliveries are always signed.
 */
export function webhookTargetsOf(registry: JobRegistry, config: Config): { global: WebhookTarget | null; code: WebhookTarget[] } {
  const code: WebhookTarget[] = [];
  for (const { name, jobClass } of registry.list()) {
    const spec = jobClass.webhook;
    if (spec === undefined) continue;
    const url = typeof spec === 'string' ? spec : spec.url;
    if (!/^https?:\/\/[^/]/i.test(url)) {
      throw new JobsError('config', `The webhook of job "${name}" must be an http:// or https:// URL`);
    }
    code.push({ jobName: name, url, on: typeof spec === 'string' || !spec.on?.length ? allEnds : spec.on });
  }
  const global = config.webhookUrl ? { jobName: '*', url: config.webhookUrl, on: allEnds } : null;
  if ((global || code.length) && !config.webhookSecret) {
    const which = global ? 'JOBS_WEBHOOK_URL is set' : `job "${code[0].jobName}" has a webhook`;
    throw new JobsError('config', `Invalid configuration: ${which} but JOBS_WEBHOOK_SECRET is not: every delivery is signed with it (openssl rand -base64 32 makes a good one)`);
  }
  return { global, code };
}

/** Writes this process's webhook targets into the database, where the jobs_webhooks trigger reads them. */
export async function syncWebhooks(engine: Engine, registry: JobRegistry, config: Config): Promise<void> {
  const { global, code } = webhookTargetsOf(registry, config);
  await syncWebhookTargets(engine, {
    global,
    code,
    knownNames: registry.list().map((entry) => entry.name),
    delivery: {
      priority: 0,
      maxAttempts: defaults.webhookMaxAttempts,
      backoff: JSON.stringify({ type: 'exponential', delay: defaults.webhookRetryDelayMs }),
      timeoutMs: defaults.webhookTimeoutMs,
    },
  });
}
