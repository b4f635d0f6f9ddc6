import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds on the monotonic clock (CLOCK_MONOTONIC on Linux, as process.hrtime). */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A window on the monotonic clock, in microseconds (process.hrtime.bigint() / 1000n). */
export interface Window {
  fromUs: number;
  toUs: number;
}

export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * The `limit` frames with the most self time in a V8 .cpuprofile (written by
 * `node --cpu-prof`), counting only the samples inside `window` (the measured
 * part, not the start-up), as table lines: self ms, share of the busy time
 * ((idle) left out), the frame and where it is. An anonymous function is named
 * after its nearest named caller. Time spent in native code (SQLite inside
 * better-sqlite3) counts as the calling JavaScript frame's own.
 */
export function topFrames(file: string, window: Window, limit = 10): string[] {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const label = (id: number): string => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = url ? ` ${shortUrl(url)}:${lineNumber + 1}` : '';
    if (functionName) return `${functionName}${where}`;
    for (let up = parentOf.get(id); up !== undefined; up = parentOf.get(up)) {
      const caller = byId.get(up)!.callFrame.functionName;
      if (caller && !caller.startsWith('(')) return `(anonymous, in ${caller})${where}`;
    }
    return `(anonymous)${where}`;
  };
  const selfUs = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, k) => {
    const delta = profile.timeDeltas[k] ?? 0;
    at += delta;
    if (at < window.fromUs || at > window.toUs) return;
    totalUs += delta;
    if (byId.get(id)!.callFrame.functionName === '(idle)') {
      idleUs += delta;
      return;
    }
    const key = label(id);
    selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
  });
  const busyUs = totalUs - idleUs;
  const lines = [
    `${path.basename(file)}: ${(totalUs / 1e6).toFixed(1)} s of samples in the window, ${(busyUs / 1e3).toFixed(0)} ms busy (${((100 * busyUs) / Math.max(1, totalUs)).toFixed(2)}%), the rest (idle)`,
  ];
  if (busyUs === 0) return lines;
  lines.push('| self ms | % of busy | frame |', '|---|---|---|');
  for (const [frame, us] of [...selfUs].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    lines.push(`| ${(us / 1e3).toFixed(1)} | ${((100 * us) / busyUs).toFixed(1)} | ${frame} |`);
  }
  return lines;
}

/** A frame's file relative to the project (or node_modules/<package>/...), or node's own. */
function shortUrl(url: string): string {
  const file = url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('/node_modules/');
  if (modules !== -1) return file.slice(modules + 1);
  const project = file.indexOf('/src/') !== -1 ? file.indexOf('/src/') : file.indexOf('/bench/');
  return project !== -1 ? file.slice(project + 1) : file;
}

/** The profiles a process wrote into `dir`, its main thread's first (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile). */
export function profilesIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const thread = (f: string) => Number(f.split('.').at(-3));
  return fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort((a, b) => thread(a) - thread(b)).map((f) => path.join(dir, f));
}
