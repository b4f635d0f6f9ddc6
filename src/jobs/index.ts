import { JobRegistry } from '@/lib/jobs';
import { CleanupJob } from './builtin/cleanup';
import { DatabaseBackupJob } from './builtin/database-backup';
import { ReportJob } from './builtin/report';
import { DemoJob } from './demo';

/**
 * THE list of job classes this app runs. A worker can only run the jobs named
 * here; add each new class of src/jobs/ to it.
 */
export const jobClasses = [DemoJob, CleanupJob, DatabaseBackupJob, ReportJob];

export const registry = new JobRegistry(jobClasses);

export { CleanupJob, DatabaseBackupJob, DemoJob, ReportJob };
