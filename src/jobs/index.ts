import { JobRegistry } from '@/lib/jobs';
import { CleanupJob } from './builtin/cleanup';
import { DatabaseBackupJob } from './builtin/database-backup';
import { HttpRequestJob } from './builtin/http-request';
import { ReportJob } from './builtin/report';
import { SendEmailJob } from './builtin/send-email';
import { DemoJob } from './demo';

/**
 * THE list of job classes this app runs. A worker can only run the jobs named
 * here; add each new class of src/jobs/ to it.
 */
export const jobClasses = [DemoJob, CleanupJob, SendEmailJob, HttpRequestJob, DatabaseBackupJob, ReportJob];

export const registry = new JobRegistry(jobClasses);

export { CleanupJob, DatabaseBackupJob, DemoJob, HttpRequestJob, ReportJob, SendEmailJob };
export type { HttpRequestParams, HttpRequestResult } from './builtin/http-request';
export type { SendEmailParams, SendEmailResult } from './builtin/send-email';
