/**
 * Progress events of long jobs, modelled on transformers.js but keyed by phase instead of file.
 * Invariants (tested): within a phase `done` never decreases and `total` is fixed; every `start`
 * is followed by `done` for the same phase unless the job throws.
 * Imports nothing.
 */

export type ProgressUnit = 'rows' | 'iterations' | 'bytes' | 'learnwares' | 'steps';

export type ProgressEvent =
  | { status: 'start'; job: string; phase: string; total: number; unit: ProgressUnit }
  | { status: 'progress'; job: string; phase: string; done: number; total: number; unit: ProgressUnit }
  | { status: 'done'; job: string; phase: string; ms: number };

export type ProgressCallback = (event: ProgressEvent) => void;

/** Options every long engine job accepts as its last argument. */
export interface JobOptions {
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

/** Emits the events of one phase and enforces the invariants. */
export class PhaseReporter {
  private doneCount = 0;
  private readonly started = Date.now();
  constructor(
    private readonly callback: ProgressCallback | undefined,
    private readonly job: string,
    readonly phase: string,
    private readonly total: number,
    private readonly unit: ProgressUnit,
  ) {
    callback?.({ status: 'start', job, phase, total, unit });
  }

  /** Reports absolute progress; values below the last report or above total are clamped. */
  update(done: number): void {
    const clamped = Math.min(this.total, Math.max(this.doneCount, done));
    this.doneCount = clamped;
    this.callback?.({ status: 'progress', job: this.job, phase: this.phase, done: clamped, total: this.total, unit: this.unit });
  }

  finish(): void {
    if (this.doneCount < this.total) this.update(this.total);
    this.callback?.({ status: 'done', job: this.job, phase: this.phase, ms: Date.now() - this.started });
  }
}

/**
 * Wraps a callback so that `progress` events reach it at most every `intervalMs` per phase;
 * `start`, `done` and the final `progress` of a phase always pass. Used across worker boundaries.
 */
export function throttleProgress(callback: ProgressCallback, intervalMs = 100): ProgressCallback {
  const last = new Map<string, number>();
  return (event) => {
    if (event.status === 'progress' && event.done < event.total) {
      const now = Date.now();
      const previous = last.get(event.phase) ?? -Infinity;
      if (now - previous < intervalMs) return;
      last.set(event.phase, now);
    }
    callback(event);
  };
}
