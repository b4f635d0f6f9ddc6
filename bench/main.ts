// `npm run bench [-- harness flags]`: Fluent Jobs against BullMQ, plainjob and
// graphile-worker in one invocation of the shared peer harness, then the claim
// benchmark (bench/claim.ts).
//
//   npm run bench                         all peers + ours, N = 20000, one run; then the claim bench
//   npm run bench -- --runs 3             flags go to the harness: --runs, --n, --only, --peer, --concurrency, ...
//   npm run bench -- --no-claim           the peer comparison only
//   npm run bench -- --claim-only [...]   the claim bench only (other flags go to bench/claim.ts)
//
// The harness folder (../shared/bench/peers, or $PEERS_DIR) is read-only, so it
// is copied to .bench/peers (gitignored) and its dependencies installed there.
// Results: .bench/results/<timestamp>.jsonl, one JSON line per (peer, workload, param, run).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { compareTable } from './compare';
import { projectRoot, type ResultLine } from './harness';
import { checkServices, ensurePeerDependencies, syncPeers } from './peers-setup';

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const tsxBin = path.join(projectRoot, 'node_modules', '.bin', 'tsx');

let current: ReturnType<typeof spawn> | null = null;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // The child (the harness, or the claim bench) cleans up after itself; pass the signal on by its PID and wait.
  process.on(signal, () => {
    if (current && current.exitCode === null && current.signalCode === null) current.kill(signal);
    else process.exit(130);
  });
}

/** Runs a child from the project root; stdout lines go to `onLine` if given, else straight through. */
function run(command: string, args: string[], env: Record<string, string> = {}, onLine?: (line: string) => void): Promise<number> {
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

async function runPeers(harnessArgs: string[]): Promise<number> {
  const peersDir = syncPeers();
  const peersInstalled = ensurePeerDependencies(peersDir);
  checkServices();
  const args = [...harnessArgs];
  const namesPeers = args.some((a) => a === '--peer' || a.startsWith('--peer='));
  if (!peersInstalled && !namesPeers) args.push('--peer', 'none'); // only ours can run
  // With no --peer named, the harness skips (with a warning) a peer whose service cannot start.

  const resultsDir = path.join(projectRoot, '.bench', 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const resultsFile = path.join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
  const out = fs.openSync(resultsFile, 'w');
  const results: ResultLine[] = [];
  const harness = ['--extra', `fluentjobs=${tsxBin} bench/peer.ts`, ...args];
  log(`node .bench/peers/run.mjs ${harness.map((a) => (a.includes(' ') ? JSON.stringify(a) : a)).join(' ')}`);
  const code = await run(process.execPath, [path.join(peersDir, 'run.mjs'), ...harness], { BENCH_PEERS_DIR: peersDir }, (line) => {
    fs.writeSync(out, `${line}\n`);
    try {
      results.push(JSON.parse(line) as ResultLine);
    } catch {
      process.stderr.write(`${line}\n`); // not a result line: let it through
    }
  });
  fs.closeSync(out);
  log(`results: ${path.relative(projectRoot, resultsFile)}`);
  if (results.length) {
    process.stdout.write('\nFluent Jobs against the best peer (medians over runs):\n\n');
    process.stdout.write(`${await compareTable(results, peersDir)}\n`);
  }
  if (code !== 0) log(`the harness exited with ${code} (a failed or timed-out step, see above)`);
  return code;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const claimOnly = argv.includes('--claim-only');
  const noClaim = argv.includes('--no-claim');
  const rest = argv.filter((a) => a !== '--claim-only' && a !== '--no-claim');
  if (claimOnly) return run(process.execPath, ['--import', 'tsx', 'bench/claim.ts', ...rest]);

  const peersCode = await runPeers(rest);
  if (noClaim) return peersCode;
  process.stdout.write('\n');
  const claimCode = await run(process.execPath, ['--import', 'tsx', 'bench/claim.ts']);
  return peersCode || claimCode;
}

process.exit(await main());
