// Why the store claims few jobs by one-row statements and many by one IN
// statement (src/store/claim.ts, oneRowClaimsUpTo): the cost of one claim
// round of k jobs in each form, inside a transaction, on a migrated file with
// 12,000 due jobs, and with nothing due. Raw better-sqlite3 on the store's own
// statements (claimStatements), so only SQLite's work is timed.
//
//   npm run bench:claim-forms [-- --runs 5]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { newJobId } from '../src/core/ids';
import { openFileEngine } from '../src/db/file-engine';
import { migrate } from '../src/db/migrate';
import { claimScope, claimStatements, oneRowClaimsUpTo } from '../src/store/claim';
import { enqueueJobs, type NewJob } from '../src/store/enqueue';
import { claimedColumns } from '../src/store/rows';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fluent-jobs-claim-forms-'));
const base = path.join(dir, 'base.db');
const now = Date.now();
const dueJobs = 12_000;

const engine = openFileEngine(base, 5000);
await migrate(engine);
const job = (): NewJob => ({
  id: newJobId(), name: 'noop', queue: 'default', params: '{"i":1}', priority: 0, runAt: now - 1000, maxAttempts: 3,
  timeoutMs: 60_000, backoff: null, idempotencyKey: null,
});
for (let i = 0; i < dueJobs; i += 1000) await enqueueJobs(engine, Array.from({ length: 1000 }, job), now);
await engine.close();
{
  const db = new Database(base);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

const scope = claimScope(null, ['noop']);
const lease = ['bench', now + 30_000, now];
const oneRow = claimStatements(scope, lease, 1, claimedColumns)[0];
const inForm = (k: number) => claimStatements(scope, lease, Math.max(k, oneRowClaimsUpTo + 1), claimedColumns)[0];
const results: Record<string, number[]> = {};
for (let run = 0; run < runs; run++) {
  for (const k of [1, 4, 16, 24, 32, 64]) {
    for (const form of ['one-row x k', 'IN'] as const) {
      for (const nothingDue of [false, true]) {
        const file = path.join(dir, 'run.db');
        for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
        fs.copyFileSync(base, file);
        const db = new Database(file);
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        if (nothingDue) db.exec('UPDATE jobs SET scheduled = 1');
        const one = db.prepare(oneRow.sql);
        const many = db.prepare(inForm(k).sql);
        const manyArgs = [...(inForm(k).args ?? []).slice(0, -1), k];
        const rounds = nothingDue ? 2000 : Math.floor(dueJobs / k / 2);
        let claimed = 0;
        const t0 = process.hrtime.bigint();
        db.transaction(() => {
          for (let r = 0; r < rounds; r++) {
            if (form === 'IN') claimed += many.all(...manyArgs).length;
            else for (let j = 0; j < k; j++) claimed += one.all(...(oneRow.args ?? [])).length;
          }
        }).immediate();
        const us = Number(process.hrtime.bigint() - t0) / 1000 / rounds;
        if (!nothingDue && claimed !== rounds * k) throw new Error(`${form} k=${k}: claimed ${claimed}, expected ${rounds * k}`);
        (results[`${String(k).padStart(2)} | ${form.padEnd(11)} | ${(nothingDue ? 'nothing due' : 'due jobs').padEnd(11)}`] ??= []).push(us);
        db.close();
      }
    }
  }
}
fs.rmSync(dir, { recursive: true, force: true });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`claim round cost, us (median of ${runs}); the store uses one-row claims up to k = ${oneRowClaimsUpTo}`);
console.log(' k | form        | queue       | us per round | us per job');
for (const [key, us] of Object.entries(results)) {
  const k = Number(key.split('|')[0]);
  console.log(`${key} | ${median(us).toFixed(1).padStart(12)} | ${key.includes('nothing') ? '' : (median(us) / k).toFixed(1).padStart(10)}`);
}
