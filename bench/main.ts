// `npm run bench [-- flags]`: the machine it runs on; Fluent Jobs against BullMQ,
// plainjob and graphile-worker (and the harness's floor) in one invocation of the
// shared peer harness; the scale rows (bench/scale/main.ts: a table of 1,000,000
// finished jobs, 4 worker processes on one file, an idle worker, worker memory);
// then the claim benchmark (bench/claim.ts).
//
//   npm run bench                         everything, N = 20000, one run
//   npm run bench -- --runs 3             medians of 3 runs (harness and scale rows)
//   npm run bench -- --no-floor           without the harness's floor row
//   npm run bench -- --no-scale           the peer comparison and the claim bench only
//   npm run bench -- --scale-only [...]   the scale rows only (their flags: bench/scale/main.ts)
//   npm run bench -- --no-claim           without the claim bench
//   npm run bench -- --claim-only [...]   the claim bench only (other flags go to bench/claim.ts)
// Other flags go to the harness: --n, --only, --peer, --concurrency, ... (--runs, --n,
// --warmup and --batch also to the scale rows).
//
// The harness folder (../shared/bench/peers, or $PEERS_DIR) is read-only, so it
// is copied to .bench/peers (gitignored) and its dependencies installed there.
// Results: .bench/results/<label>-<timestamp>.jsonl, one JSON line per (peer, workload, param, run).
import { compareTable } from './compare';
import { loadUtil } from './harness';
import { machineLine } from './machine';
import { forwardSignals, runChild, runHarness, tsxBin } from './run-harness';
import { scaleFlags, sharedFlags, splitFlags } from './scale/flags';

forwardSignals();

async function runPeers(harnessArgs: string[]): Promise<number> {
  const { code, results, peersDir } = await runHarness(['--extra', `fluentjobs=${tsxBin} bench/peer.ts`, ...harnessArgs], 'peers');
  if (results.length) {
    process.stdout.write('\nFluent Jobs against the best peer (medians over runs):\n\n');
    process.stdout.write(`${compareTable(results, (await loadUtil(peersDir)).median)}\n`);
  }
  return code;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const has = (flag: string) => argv.includes(flag);
  const own = new Set(['--claim-only', '--no-claim', '--scale-only', '--no-scale', '--no-floor']);
  const rest = argv.filter((a) => !own.has(a));
  if (has('--claim-only')) return runChild(process.execPath, ['--import', 'tsx', 'bench/claim.ts', ...rest]);

  process.stdout.write(`${machineLine()}\n`);
  const { scale, harness } = splitFlags(rest, scaleFlags, sharedFlags);
  const runScale = () => runChild(process.execPath, ['--import', 'tsx', 'bench/scale/main.ts', ...scale]);
  if (has('--scale-only')) return runScale();

  const peersCode = await runPeers(has('--no-floor') ? harness : ['--floor', ...harness]);
  const scaleCode = has('--no-scale') ? 0 : (process.stdout.write('\n'), await runScale());
  if (has('--no-claim')) return peersCode || scaleCode;
  process.stdout.write('\n');
  const claimCode = await runChild(process.execPath, ['--import', 'tsx', 'bench/claim.ts']);
  return peersCode || scaleCode || claimCode;
}

process.exit(await main());
