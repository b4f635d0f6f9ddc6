import { JobRegistry } from '@/lib/jobs';
import { CleanupJob } from './builtin/cleanup';
import { HttpRequestJob } from './builtin/http-request';
import { SendEmailJob } from './builtin/send-email';
import { DemoJob } from './demo';

/**
 * THE list of job classes this app runs. A worker can only run the jobs named
 * here; add each new class of src/jobs/ to it.
 */
export const jobClasses = [DemoJob, CleanupJob, SendEmailJob, HttpRequestJob];

export const registry = new JobRegistry(jobClasses);

export { CleanupJob, DemoJob, HttpRequestJob, SendEmailJob };
export type { HttpRequestParams, HttpRequestResult } from './builtin/http-request';
export type { SendEmailParams, SendEmailResult } from './builtin/send-email';
