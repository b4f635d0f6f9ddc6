import { spawnSync } from 'node:child_process';

/**
 * The environment Debian's `faketime -f <spec>` gives the program it runs
 * (LD_PRELOAD of libfaketime and FAKETIME), read from faketime itself, so a
 * node process can be started with a skewed wall clock directly: `faketime`
 * forks and waits for its program, so a signal sent to its PID (kill -9,
 * SIGSTOP) would not reach the node process. The monotonic clock stays real
 * (FAKETIME_DONT_FAKE_MONOTONIC=1, as `faketime --exclude-monotonic`): timers
 * keep working and process.hrtime() compares across processes. null when
 * faketime is not installed (`apt-get install -y faketime`).
 */
export function faketimeEnv(spec: string): Record<string, string> | null {
  const run = spawnSync('faketime', ['-f', spec, '/usr/bin/env'], { encoding: 'utf8' });
  if (run.error || run.status !== 0) return null;
  const env = new Map<string, string>();
  for (const line of run.stdout.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) env.set(line.slice(0, at), line.slice(at + 1));
  }
  const preload = env.get('LD_PRELOAD');
  const faketime = env.get('FAKETIME');
  if (!preload || !faketime) return null;
  return { LD_PRELOAD: preload, FAKETIME: faketime, FAKETIME_DONT_FAKE_MONOTONIC: '1' };
}

/** This process's CLOCK_MONOTONIC in ms: the same clock in every process of the machine, whatever faketime does to wall clocks. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
