import type { LogEntry } from '../../core/log-line';
import type { JobEventMap } from '../jobs/events';
import { redact } from '../jobs/json/redact';

/**
 * A job's own `this.logger` line as a process log entry (the attempt row
 * keeps it too): its level, the job's id, name and attempt, and its data
 * masked by `redactKeys` (JOBS_REDACT_KEYS), as the stored line is when shown,
 * since process logs leave the database.
 * @example jobLogEntry({ jobId, jobName: 'demo', attempt: 1, line: { at, level: 'info', message: 'step 1' } }, []).message
 * // 'log       demo 019a885b-230f attempt 1 info: step 1'
 */
export function jobLogEntry({ line, jobId, jobName, attempt }: JobEventMap['job.log'], redactKeys: readonly string[]): LogEntry {
  const data = line.data === undefined ? undefined : redact(line.data, redactKeys);
  return {
    level: line.level, event: 'job.log', jobId, jobName, attempt, data,
    message: `log       ${jobName} ${jobId.slice(0, 13)} attempt ${attempt} ${line.level}: ${line.message}${data === undefined ? '' : ` ${JSON.stringify(data)}`}`,
  };
}
