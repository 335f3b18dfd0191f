/**
 * The cancellable jobs of a worker, by the id the page gave each one: the one copy of this
 * bookkeeping for every worker. A job gets an AbortSignal; `cancel(jobId)` aborts it (the engine
 * then rejects with CancelledError) and says whether the job was still running.
 */
export class Jobs {
  private readonly running = new Map<string, AbortController>();

  async run<T>(jobId: string, job: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.running.set(jobId, controller);
    try {
      return await job(controller.signal);
    } finally {
      if (this.running.get(jobId) === controller) this.running.delete(jobId);
    }
  }

  cancel(jobId: string): boolean {
    const controller = this.running.get(jobId);
    controller?.abort();
    return controller !== undefined;
  }
}
