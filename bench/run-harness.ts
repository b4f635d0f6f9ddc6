import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { projectRoot, type ResultLine } from './harness';
import { checkServices, ensurePeerDependencies, syncPeers } from './peers-setup';

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
export const tsxBin = path.join(projectRoot, 'node_modules', '.bin', 'tsx');

let current: ChildProcess | null = null;

/** The child `runChild` is waiting for, if any: SIGINT/SIGTERM handlers pass the signal on to it by its PID. */
export function currentChild(): ChildProcess | null {
  return current;
}

/** Passes SIGINT/SIGTERM on to the running child (which cleans up after itself) and waits for it; exits if none runs. */
export function forwardSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      const child = currentChild();
      if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
      else process.exit(130);
    });
  }
}

/** Runs a child from the project root; stdout lines go to `onLine` if given, else straight through. */
export function runChild(command: string, args: string[], env: Record<string, string> = {}, onLine?: (line: string) => void): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: projectRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', onLine ? 'pipe' : 'inherit', 'inherit'],
    });
    current = child;
    if (onLine) readline.createInterface({ input: child.stdout! }).on('line', onLine);
    child.on('error', (error) => {
      log(`cannot start ${command}: ${error.message}`);
      resolve(1);
    });
    child.on('close', (code, signal) => {
      current = null;
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

export interface HarnessRun {
  code: number;
  results: ResultLine[];
  peersDir: string;
}

/**
 * One invocation of the shared peer harness (copied to .bench/peers) with
 * `args`, its JSON result lines kept in .bench/results/<label>-<timestamp>.jsonl
 * and returned. Without the peers' dependencies only the extras run.
 */
export async function runHarness(args: string[], label: string): Promise<HarnessRun> {
  const peersDir = syncPeers();
  const peersInstalled = ensurePeerDependencies(peersDir);
  const namesPeers = args.some((a) => a === '--peer' || a.startsWith('--peer='));
  if (!namesPeers) checkServices();
  const harness = [...args];
  if (!peersInstalled && !namesPeers) harness.push('--peer', 'none'); // only ours can run
  // With no --peer named, the harness skips (with a warning) a peer whose service cannot start.

  const resultsDir = path.join(projectRoot, '.bench', 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const resultsFile = path.join(resultsDir, `${label}-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
  const out = fs.openSync(resultsFile, 'w');
  const results: ResultLine[] = [];
  log(`node .bench/peers/run.mjs ${harness.map((a) => (a.includes(' ') ? JSON.stringify(a) : a)).join(' ')}`);
  const code = await runChild(process.execPath, [path.join(peersDir, 'run.mjs'), ...harness], { BENCH_PEERS_DIR: peersDir }, (line) => {
    fs.writeSync(out, `${line}\n`);
    try {
      results.push(JSON.parse(line) as ResultLine);
    } catch {
      process.stderr.write(`${line}\n`); // not a result line: let it through
    }
  });
  fs.closeSync(out);
  log(`results: ${path.relative(projectRoot, resultsFile)}`);
  if (code !== 0) log(`the harness exited with ${code} (a failed or timed-out step, see above)`);
  return { code, results, peersDir };
}
