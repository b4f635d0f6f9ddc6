// Another process holding the database's write lock: BEGIN IMMEDIATE, wait holdMs, COMMIT; `times` times,
// gapMs apart. Prints "locked" and "released" so the test knows when.
import Database from 'better-sqlite3';

const [file, holdMs = '1000', times = '1', gapMs = '0'] = process.argv.slice(2);
const db = new Database(file, { timeout: 60_000 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (let i = 0; i < Number(times); i++) {
  db.exec('BEGIN IMMEDIATE');
  console.log('locked');
  await sleep(Number(holdMs));
  db.exec('COMMIT');
  console.log('released');
  await sleep(Number(gapMs));
}
db.close();
