import { defaults } from '../config/defaults';
import type { Engine } from '../db/engine';
import { pruneChanges } from '../store/changes';
import type { Clock } from '../lib/jobs/shared-clock';

/**
 * Keeps the change feed (job_events) small: every worker prunes it now and
 * then, so it stays bounded whether or not a web process reads it. Prunes by
 * workers running side by side delete the same rows; the second finds none.
 */
export class ChangeFeedPruner {
  private timer?: NodeJS.Timeout;
  private pruning?: Promise<void>;

  constructor(
    private readonly engine: Engine,
    private readonly clock: Clock,
    private readonly report: { failed(error: unknown): void; succeeded(): void },
  ) {}

  start(): this {
    this.timer ??= setInterval(() => void this.pruneNow(), defaults.changeFeedPruneIntervalMs);
    this.timer.unref();
    return this;
  }

  pruneNow(): Promise<void> {
    this.pruning ??= pruneChanges(this.engine, this.clock.now() - defaults.changeFeedRetentionMs, defaults.changeFeedMaxKept)
      .then(() => this.report.succeeded(), (error: unknown) => this.report.failed(error))
      .finally(() => (this.pruning = undefined));
    return this.pruning;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.pruning;
  }
}
