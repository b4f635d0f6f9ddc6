import type { JobRegistry } from '../lib/jobs/registry';
import type { WorkerLog } from './log';

/**
 * Logs, once per worker start, each registered job class's start-up notice
 * (`static startupNotice()`), prefixed with its job name. A notice that
 * throws is reported and does not stop the worker: its jobs fail on their own.
 */
export function logJobNotices(registry: JobRegistry, log: WorkerLog): void {
  for (const { name, jobClass } of registry.list()) {
    try {
      const notice = jobClass.startupNotice?.();
      if (notice) log.note(`${name}: ${notice}`);
    } catch (error) {
      log.error(`the start-up notice of ${name} failed`, error);
    }
  }
}
