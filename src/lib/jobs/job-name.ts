import type { JobClass } from './job';

/**
 * A job class's stored name: its `static jobName`, or else its class name in
 * kebab case without the "Job" suffix. Only a class name ending in "Job" is
 * trusted, because minifiers (Next.js minifies server code) rename classes and
 * a renamed job would no longer match the name stored in the database.
 * @example jobNameOf(class SendEmailJob {}) // 'send-email'
 */
export function jobNameOf(jobClass: Pick<JobClass, 'name' | 'jobName'>): string {
  if (jobClass.jobName) return jobClass.jobName;
  if (/^[A-Z]\w*Job$/.test(jobClass.name) && jobClass.name.length > 3) return toKebab(jobClass.name.replace(/Job$/, ''));
  throw new Error(`Job class "${jobClass.name}" needs a stable name: add \`static jobName = '...'\``);
}

/**
 * The form names are compared in, so the CLI takes `SendEmailJob`, `SendEmail` and `send-email` alike.
 * @example nameKey('SendEmailJob') // 'send-email'
 */
export function nameKey(name: string): string {
  return toKebab(name.replace(/Job$/, ''));
}

function toKebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .replace(/[\s_]+/g, '-')
    .toLowerCase();
}
