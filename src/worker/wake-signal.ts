/**
 * A reusable "something may have changed" flag a loop can sleep on: wake()
 * ends the current (or the next) wait early; waits also end at their timeout.
 */
export class WakeSignal {
  private woken = false;
  private release?: () => void;

  wake(): void {
    this.woken = true;
    this.release?.();
  }

  wait(timeoutMs: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      const self = this;
      function done() {
        clearTimeout(timer);
        self.release = undefined;
        self.woken = false;
        resolve();
      }
      this.release = done;
    });
  }
}
