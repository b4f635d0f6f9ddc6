import { JobsError } from '../../core/errors';
import type { JobClass } from './job';
import { encryptedPathsOf } from './encrypted-params';
import { jobNameOf, nameKey } from './job-name';

/**
 * The job classes a process can run, by stable name. Built from the literal
 * list in src/jobs/index.ts; two classes with the same name, or a bad
 * `static encrypt` list, fail at start.
 */
export class JobRegistry {
  private readonly byKey = new Map<string, { name: string; jobClass: JobClass }>();

  constructor(classes: readonly JobClass[]) {
    for (const jobClass of classes) {
      const name = jobNameOf(jobClass);
      encryptedPathsOf(jobClass);
      const key = nameKey(name);
      const existing = this.byKey.get(key);
      if (existing) {
        throw new Error(`Two job classes are named "${name}": ${existing.jobClass.name} and ${jobClass.name}; job names must be unique`);
      }
      this.byKey.set(key, { name, jobClass });
    }
  }

  /** The class stored under this exact name, or undefined. */
  get(name: string): JobClass | undefined {
    return this.byKey.get(nameKey(name))?.jobClass;
  }

  /** The class for a name as a person types it (`SendEmailJob`, `send-email`), or an unknown_job error. */
  resolve(input: string): JobClass {
    const found = this.get(input);
    if (found) return found;
    const known = [...this.byKey.values()].map((e) => e.name).sort().join(', ');
    throw new JobsError('unknown_job', `Unknown job "${input}". Registered jobs: ${known || '(none)'}`);
  }

  list(): { name: string; jobClass: JobClass }[] {
    return [...this.byKey.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}
