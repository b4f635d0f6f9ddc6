import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Engine } from './engine';
import { walSizeLimitBytes } from './file-engine';

// The thread's whole program: its own connection to the file, checkpointing the WAL into the
// database now and then. PASSIVE never waits for, nor blocks, a reader or a writer.
const threadSource = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.file, { timeout: workerData.busyTimeoutMs });
const pageSize = db.pragma('page_size', { simple: true });
const truncate = () => {
  // Only when nothing waits: with no busy wait, a writer or reader in the way makes it give up at once.
  db.pragma('busy_timeout = 0');
  try { db.pragma('wal_checkpoint(TRUNCATE)'); } catch {} finally { db.pragma('busy_timeout = ' + workerData.busyTimeoutMs); }
};
const checkpoint = () => {
  try {
    const [{ busy, log, checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)');
    // All of a large WAL is in the database file: give its disk space back now rather than at the next write.
    if (!busy && log > 0 && log === checkpointed && log * pageSize > workerData.walSizeLimitBytes) truncate();
  } catch {}
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); checkpoint(); db.close(); parentPort.close(); });
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Moves WAL checkpoints off the calling thread: SQLite's automatic checkpoint
 * runs inside whichever commit crosses 1,000 WAL pages, copying pages and
 * fsyncing twice on the thread that runs the jobs (measured here: it roughly
 * doubles the cost of each enqueue, claim and finish, and makes the latency
 * tails). A worker thread with its own connection checkpoints every
 * `intervalMs` instead, and truncates a WAL that grew past its size limit
 * once all of it is checkpointed (after a burst, or a full disk). Remote databases checkpoint on their server: no-op.
 */
export async function startCheckpointer(engine: Engine, intervalMs: number, busyTimeoutMs: number): Promise<Checkpointer> {
  if (engine.kind !== 'file') return { stop: async () => {} };
  const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
  const thread = new Worker(threadSource, { eval: true, workerData: { file: engine.location, driverPath, intervalMs, busyTimeoutMs, walSizeLimitBytes } });
  thread.unref();
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  await engine.all('PRAGMA wal_autocheckpoint = 0');
  return {
    async stop() {
      await engine.all('PRAGMA wal_autocheckpoint = 1000').catch(() => {}); // SQLite's default
      thread.ref(); // keep this process alive until the thread has closed its connection
      thread.postMessage('stop');
      await exited;
    },
  };
}
