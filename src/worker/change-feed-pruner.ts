import { defaults } from '../config/defaults';
import type { Engine } from '../db/engine';
import { pruneChanges } from '../store/changes';
import { foldChanges } from '../store/fold';
import type { Clock } from '../lib/jobs/shared-clock';

/**
 * Keeps the change feed (job_events) folded and small: every worker folds it
 * into the counts and per-minute stats every couple of seconds and prunes it
 * now and then, so both happen whether or not a web process runs. Workers
 * doing it side by side are safe: the fold reads its range inside its own
 * transaction, and the second prune finds nothing left to delete.
 */
export class ChangeFeedPruner {
  private timer?: NodeJS.Timeout;
  private pruning?: Promise<void>;
  private prunedAt = 0;

  constructor(
    private readonly engine: Engine,
    private readonly clock: Clock,
    private readonly report: { failed(error: unknown): void; succeeded(): void },
  ) {}

  start(): this {
    this.timer ??= setInterval(() => void this.pruneNow(), defaults.changeFeedFoldIntervalMs);
    this.timer.unref();
    return this;
  }

  pruneNow(): Promise<void> {
    this.pruning ??= this.foldAndPrune()
      .then(() => this.report.succeeded(), (error: unknown) => this.report.failed(error))
      .finally(() => (this.pruning = undefined));
    return this.pruning;
  }

  private async foldAndPrune(): Promise<void> {
    await foldChanges(this.engine);
    const now = this.clock.now();
    if (now - this.prunedAt < defaults.changeFeedPruneIntervalMs) return;
    this.prunedAt = now;
    await pruneChanges(this.engine, now - defaults.changeFeedRetentionMs, defaults.changeFeedMaxKept);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.pruning;
  }
}
