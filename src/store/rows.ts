import { getTableColumns, type Table } from 'drizzle-orm';
import { jobs, type JobRow } from '../db/schema';
import type { Row } from '../db/engine';

/** Maps rows read with hand-written SQL (snake_case) to Drizzle's row shape (camelCase). */
function rowMapper<T>(table: Table): (row: Row) => T {
  const pairs = Object.entries(getTableColumns(table)).map(([key, column]) => [column.name, key] as const);
  return (row) => {
    const out: Record<string, unknown> = {};
    for (const [column, key] of pairs) out[key] = row[column] ?? null;
    return out as T;
  };
}

export const toJobRow = rowMapper<JobRow>(jobs);

/** The `scheduled` value of a pending job that is due: 0 (claimable), or 2 while its queue is paused. */
export const readyUnlessPaused = `CASE WHEN EXISTS (SELECT 1 FROM paused_queues p WHERE p.queue = jobs.queue) THEN 2 ELSE 0 END`;

/** The jobs columns, for RETURNING lists that must match toJobRow. */
export const jobColumns = Object.values(getTableColumns(jobs)).map((c) => c.name).join(', ');
