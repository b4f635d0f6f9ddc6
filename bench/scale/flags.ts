/** Flags only the scale rows (bench/scale/main.ts) read: true if the flag takes a value. */
export const scaleFlags: Record<string, boolean> = {
  'fill': true,
  'fill-concurrency': true,
  'procs': true,
  'procs-concurrency': true,
  'idle-seconds': true,
  'memory-at': true,
  'memory-concurrency': true,
  'only-rows': true,
  'profile': false,
};

/** Harness flags the scale rows read too. */
export const sharedFlags: Record<string, boolean> = { runs: true, n: true, warmup: true, batch: true };

/**
 * Splits `npm run bench` flags (`--name value` or `--name=value`) into those
 * for the scale rows (theirs and the shared ones) and those for the harness
 * (all but the scale rows' own).
 */
export function splitFlags(argv: string[], scale: Record<string, boolean>, shared: Record<string, boolean>): { scale: string[]; harness: string[] } {
  const out = { scale: [] as string[], harness: [] as string[] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const name = arg.startsWith('--') ? arg.slice(2).split('=')[0] : '';
    const takesValue = scale[name] ?? shared[name];
    const taken = takesValue && !arg.includes('=') && i + 1 < argv.length ? [arg, argv[++i]] : [arg];
    if (name in scale) out.scale.push(...taken);
    else if (name in shared) {
      out.scale.push(...taken);
      out.harness.push(...taken);
    } else out.harness.push(...taken);
  }
  return out;
}
