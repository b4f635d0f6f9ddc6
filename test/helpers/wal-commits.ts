import fs from 'node:fs';

/**
 * How many commits the WAL file of a SQLite database holds since it last
 * restarted: the frames whose header carries the WAL's current salts and a
 * nonzero "database size after commit" (set only on a transaction's last
 * frame). Read from the file itself, so a test sees what SQLite wrote, not
 * what the code says it did. Counts are only comparable while no checkpoint
 * restarts the WAL (a plain engine checkpoints at 1,000 pages).
 */
export function walCommits(databaseFile: string): number {
  let wal: Buffer;
  try {
    wal = fs.readFileSync(`${databaseFile}-wal`);
  } catch {
    return 0;
  }
  if (wal.length < 32) return 0;
  const pageSize = wal.readUInt32BE(8);
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break; // left over from before a restart
    if (wal.readUInt32BE(at + 4) !== 0) commits++;
  }
  return commits;
}
