/**
 * Progress relay for worker jobs. Comlink delivers callback calls on the callback's own port and
 * the job's result on the worker's port, so the result could overtake the last progress events;
 * `flush()` waits until the main thread has received the last call.
 */
import { throttleProgress, type ProgressCallback } from '../src/engine/core/progress.js';

export function progressRelay(onProgress: ProgressCallback | undefined): { callback: ProgressCallback | undefined; flush: () => Promise<void> } {
  if (!onProgress) return { callback: undefined, flush: async () => {} };
  let last: unknown;
  const callback = throttleProgress((event) => {
    last = (onProgress as (e: typeof event) => unknown)(event);
  });
  return { callback, flush: async () => void (await last) };
}
