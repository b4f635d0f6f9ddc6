import type { ProgressReport } from '../../store/progress';

/** Reports kept for a later write while the database cannot take them; older ones are dropped first. */
const maxBufferedReports = 100;
/** Waits between tries to write buffered reports: 100 ms, doubling, at most 5 s. */
const retryBaseMs = 100;
const retryMaxMs = 5_000;

/**
 * An attempt's progress reports on their way to the database. Progress is the
 * job's telemetry, not its work: a write that fails (the database busy or
 * unreachable for a moment) never fails the job. Reports wait in order and are
 * written together by the next write that gets through, or by a retry timer;
 * past `maxBufferedReports` the oldest are dropped. `report` resolves once the
 * report is stored or buffered; it never rejects.
 */
export class ProgressRecorder {
  private waiting: ProgressReport[] = [];
  private writing?: Promise<void>;
  private retryTimer?: NodeJS.Timeout;
  private failures = 0;
  private closed = false;
  /** Reports dropped because the buffer was full. */
  dropped = 0;

  constructor(
    private readonly write: (reports: ProgressReport[]) => Promise<unknown>,
    private readonly onFirstFailure: (error: unknown) => void = () => {},
  ) {}

  report(report: ProgressReport): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.waiting.push(report);
    if (this.waiting.length > maxBufferedReports) {
      this.dropped += this.waiting.length - maxBufferedReports;
      this.waiting.splice(0, this.waiting.length - maxBufferedReports);
    }
    return this.flush();
  }

  /** Writes what waits (after a write in flight); resolves either way. */
  flush(): Promise<void> {
    this.writing ??= (async () => {
      while (this.waiting.length) {
        const batch = this.waiting;
        this.waiting = [];
        try {
          await this.write(batch);
          this.failures = 0;
        } catch (error) {
          if (this.failures++ === 0) this.onFirstFailure(error);
          const kept = [...batch, ...this.waiting];
          this.dropped += Math.max(0, kept.length - maxBufferedReports);
          this.waiting = kept.slice(-maxBufferedReports);
          this.scheduleRetry();
          return;
        }
      }
    })().finally(() => (this.writing = undefined));
    return this.writing;
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    const delay = Math.min(retryMaxMs, retryBaseMs * 2 ** (this.failures - 1));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.flush();
    }, delay);
    this.retryTimer.unref();
  }

  /** The attempt ended: one last try for what waits, then nothing more. */
  async close(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.writing;
    if (this.waiting.length) await this.flush();
    this.closed = true;
    clearTimeout(this.retryTimer);
  }
}
