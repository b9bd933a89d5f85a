// Coalesces bursts of calls into one, after a quiet period. Settings edited in the Settings UI change with
// every keystroke; a model path typed there must not start a load for each half-typed value.
// Knows nothing about `vscode`; the timer functions are arguments so tests run without waiting.

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class Debouncer {
  private handle: unknown;
  private pending = false;

  constructor(
    private readonly ms: number,
    private readonly timers: Timers = realTimers,
  ) {}

  /** Runs `fn` after `ms` without another call; a later call replaces it. */
  call(fn: () => void): void {
    this.cancel();
    this.pending = true;
    this.handle = this.timers.set(() => {
      this.pending = false;
      fn();
    }, this.ms);
  }

  /** Drops the pending call, if any. */
  cancel(): void {
    if (this.pending) {
      this.timers.clear(this.handle);
      this.pending = false;
    }
  }

  get isPending(): boolean {
    return this.pending;
  }
}
