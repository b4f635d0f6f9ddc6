import type { Engine } from '@/db/engine';

/**
 * The most attempts of one concurrency key that ran at the same moment, per
 * key, from what the attempts recorded: each ran from its 'starting' log line
 * (written inside the job, after its claim) to its finished_at (taken after
 * the job returned, before its slot was freed). An end and a start in the
 * same millisecond do not overlap.
 */
export async function observedConcurrency(engine: Engine, queuePrefix: string): Promise<Map<string, number>> {
  const rows = await engine.all<{ key: string; logs: string | null; finished_at: number }>(
    `SELECT j.concurrency_key AS key, a.logs, a.finished_at FROM job_attempts a JOIN jobs j ON j.id = a.job_id
     WHERE j.queue LIKE ? AND j.concurrency_key IS NOT NULL`,
    [`${queuePrefix}%`],
  );
  const events = new Map<string, { at: number; delta: number }[]>();
  for (const row of rows) {
    const start = (JSON.parse(row.logs ?? '[]') as { at: number; message: string }[]).find((l) => l.message === 'starting');
    if (!start) throw new Error(`an attempt of key ${row.key} logged no start`);
    const list = events.get(row.key) ?? [];
    list.push({ at: start.at, delta: 1 }, { at: Number(row.finished_at), delta: -1 });
    events.set(row.key, list);
  }
  const peaks = new Map<string, number>();
  for (const [key, list] of events) {
    list.sort((a, b) => a.at - b.at || a.delta - b.delta);
    let now = 0;
    let peak = 0;
    for (const e of list) peak = Math.max(peak, (now += e.delta));
    peaks.set(key, peak);
  }
  return peaks;
}

/** The most attempt starts (claim times, as recorded) of a queue within any window of `windowMs`. */
export async function peakStartsPerWindow(engine: Engine, queue: string, windowMs: number): Promise<{ peak: number; starts: number }> {
  const rows = await engine.all<{ started_at: number }>(
    `SELECT a.started_at FROM job_attempts a JOIN jobs j ON j.id = a.job_id WHERE j.queue = ? ORDER BY a.started_at`,
    [queue],
  );
  const stamps = rows.map((r) => Number(r.started_at));
  let peak = 0;
  for (let first = 0, last = 0; last < stamps.length; last++) {
    while (stamps[last] - stamps[first] >= windowMs) first++;
    peak = Math.max(peak, last - first + 1);
  }
  return { peak, starts: stamps.length };
}
