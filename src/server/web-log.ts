import { getConfig } from '../config/env';
import { jobEvents } from '../lib/jobs/events';
import { jobLogEntry } from '../lib/log/job-log';
import { jsonLine, logFormatOf, setupProcessLog, writeOut } from '../lib/log/process-log';

const holder = globalThis as unknown as { __fluentJobsWebLog?: true };

/**
 * The web process's log, set up once when Next.js starts the server
 * (src/instrumentation.ts): with LOG_FORMAT=json every console line (ours,
 * Next.js' own from then on) is a JSON object with process "web"; in both
 * formats, the `this.logger` lines of jobs run here (`.now()`,
 * `executeFromDatabase` in a route or an action) are written too, as a
 * worker writes those of the jobs it runs.
 */
export function setupWebLog(): void {
  if (holder.__fluentJobsWebLog) return;
  holder.__fluentJobsWebLog = true;
  const format = logFormatOf();
  setupProcessLog('web', format);
  // Next.js' start-up banner comes before this, as plain text: this line says JSON starts here (text mode adds no line).
  if (format === 'json') writeOut(jsonLine('web', { level: 'info', event: 'web.started', pid: process.pid, message: `web process ${process.pid} writes JSON lines from here on` }));
  jobEvents.on('job.log', (e) => {
    const entry = jobLogEntry(e, getConfig().redactKeys);
    writeOut(format === 'json' ? jsonLine('web', entry) : `[job] ${entry.message}`);
  });
}
