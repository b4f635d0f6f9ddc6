import { describeError } from '../core/errors';

/** The longest a worker waits between tries of a step that keeps failing. */
const maxWaitMs = 30_000;
/** While a step keeps failing the same way, it is reported again this often. */
const repeatReportMs = 60_000;

/**
 * A loop step that keeps failing (the disk full, the database locked or
 * unreachable for long): it is reported once, again only when the error
 * changes or once a minute, and once when it works again; each try waits
 * longer, from `baseMs` doubling up to 30 s, so a failing database is not
 * hammered nor the log flooded.
 */
export class ErrorBackoff {
  private failures = 0;
  private reportedAt = 0;
  private lastMessage = '';

  constructor(
    private readonly baseMs: number,
    private readonly report: (error: unknown, repeats: number) => void,
    private readonly recovered: (failures: number) => void,
  ) {}

  /** Records a failure; returns how long to wait before the next try. */
  failed(error: unknown): number {
    this.failures += 1;
    const message = describeError(error).message;
    const now = Date.now();
    if (this.failures === 1 || message !== this.lastMessage || now - this.reportedAt >= repeatReportMs) {
      this.report(error, this.failures);
      this.reportedAt = now;
      this.lastMessage = message;
    }
    return Math.min(maxWaitMs, this.baseMs * 2 ** Math.min(this.failures - 1, 16));
  }

  succeeded(): void {
    if (this.failures > 0) this.recovered(this.failures);
    this.failures = 0;
    this.lastMessage = '';
  }
}
