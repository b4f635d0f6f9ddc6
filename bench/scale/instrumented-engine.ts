import { isJobsError } from '../../src/core/errors';
import type { Engine, Statement } from '../../src/db/engine';

/**
 * The worker's claim: the store's `UPDATE jobs SET state = 'running' ...` that
 * takes pending jobs under a lease (src/store/claim.ts). Matched by its text so
 * that the bench needs no hook in src/; if the claim is reshaped and no longer
 * matches, the row says "no claim statement seen" instead of timing something else.
 */
const isClaim = (sql: string) => /^\s*UPDATE\s+jobs\b[\s\S]*?\bSET\s+state\s*=\s*'running'/i.test(sql);

export interface EngineCounts {
  /** Engine calls that failed with database_busy (SQLITE_BUSY past the busy timeout), whoever caught them. */
  busyErrors: number;
  /** Wall time (ms) of each claim statement, from the call to its rows (including any wait for another process's write lock); null when not timed. */
  claimMs: number[] | null;
}

/**
 * The real engine with counters around it, for the bench's worker processes:
 * every call goes to the engine unchanged; busy errors are counted as they
 * pass, and, with `timeClaims`, each claim statement is timed. (The file
 * engine runs a statement synchronously inside `all`, so the time is the
 * statement's own plus its wait for the lock.)
 */
export function instrumentEngine(engine: Engine, timeClaims: boolean): { engine: Engine; counts: EngineCounts } {
  const counts: EngineCounts = { busyErrors: 0, claimMs: timeClaims ? [] : null };
  const noteBusy = (error: unknown) => {
    if (isJobsError(error) && error.code === 'database_busy') counts.busyErrors++;
    throw error;
  };
  const timed = <T>(claim: boolean, call: () => Promise<T>): Promise<T> => {
    if (!claim || !counts.claimMs) return call().catch(noteBusy);
    const t0 = performance.now();
    return call().then(
      (rows) => {
        counts.claimMs!.push(performance.now() - t0);
        return rows;
      },
      noteBusy,
    );
  };
  const wrapped: Engine = {
    kind: engine.kind,
    location: engine.location,
    orm: engine.orm,
    all: (sql, args) => timed(isClaim(sql), () => engine.all(sql, args)),
    run: (sql, args) => timed(false, () => engine.run(sql, args)),
    batch: (statements: Statement[]) => timed(statements.some((s) => isClaim(s.sql)), () => engine.batch(statements)),
    // The worker's claim: timed from the call to its rows, which includes the wait for the
    // event-loop turn's other batches it commits with, as well as any wait for the lock.
    deferredBatch: (build) => {
      let claim = false;
      const t0 = performance.now();
      return engine.deferredBatch(() => {
        const statements = build();
        claim = statements.some((s) => isClaim(s.sql));
        return statements;
      }).then(
        (rows) => {
          if (claim && counts.claimMs) counts.claimMs.push(performance.now() - t0);
          return rows;
        },
        noteBusy,
      );
    },
    close: () => engine.close(),
  };
  return { engine: wrapped, counts };
}
