/**
 * The CLI's check pool: bundles checked on several worker threads at once (check-worker.mjs), each
 * running the engine's checker with a model host of its own (model-host.ts), so every model still
 * runs in a thread of its own under its time limit and memory cap. Verdict i is bundle i's,
 * whichever thread finished first, so what is built from them does not depend on the thread count.
 *
 * A check thread that dies (its JavaScript heap exhausted, say) or whose check passes the pool's
 * deadline gives that bundle an INVALID verdict (CHECK_CRASHED, CHECK_TIMEOUT) and is replaced; a
 * check that throws instead of giving a verdict stops the pool with that error, as it stops a
 * check on the main thread. Every thread is terminated before the pool returns or throws. The
 * threads stay referenced while the pool runs: a pool left open would keep the process alive, not
 * end it early with nothing written.
 */
import { Worker } from 'node:worker_threads';
import { deserializeError, DockError, sha256Hex, type CheckResult, type SerializedError } from '../engine/index.js';

const WORKER_URL = new URL('./check-worker.mjs', import.meta.url);
/** a thread's start: the TypeScript loader and the checker (0.3 s on an idle machine) */
const START_TIMEOUT_MS = 60_000;
/**
 * Far past the checker's own limits (a model's load 30 s, its probe run 10 s, its release 5 s):
 * only a check stuck outside its model, in the checker's own work on the bundle, reaches it.
 */
export const CHECK_DEADLINE_MS = 5 * 60_000;

type Reply = { ready: true } | { id: number; result: CheckResult } | { id: number; error: SerializedError };
/** Why a thread stopped: it crashed (the error or exit code) or its check passed the deadline. */
type Stop = { code: 'CHECK_CRASHED'; cause: string } | { code: 'CHECK_TIMEOUT'; deadlineMs: number };
type Outcome = { result: CheckResult } | { halted: Stop };

/** One check thread; it checks one bundle at a time. */
class CheckThread {
  private readonly worker = new Worker(WORKER_URL);
  private readonly exited: Promise<void>;
  private next = 0;
  private ready: { resolve: () => void; reject: (error: Error) => void } | null = null;
  private pending: { id: number; settle: (outcome: Outcome | Error) => void } | null = null;
  /** why the thread stopped (or is being stopped); null while it runs */
  private stop: Stop | null = null;

  constructor(live: Set<CheckThread>) {
    live.add(this);
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        live.delete(this);
        this.halt({ code: 'CHECK_CRASHED', cause: `exit code ${code}` });
        resolve();
      }),
    );
    this.worker.on('error', (error) => this.halt({ code: 'CHECK_CRASHED', cause: error.message }));
    this.worker.on('message', (reply: Reply) => {
      if ('ready' in reply) {
        this.ready?.resolve();
        this.ready = null;
        return;
      }
      const pending = this.pending;
      if (!pending || pending.id !== reply.id) return;
      this.pending = null;
      pending.settle('result' in reply ? { result: reply.result } : deserializeError(reply.error));
    });
  }

  /** Resolves once the thread serves checks; rejects (and stops it) when it cannot start. */
  started(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new DockError('INTERNAL', `a check thread did not start within ${START_TIMEOUT_MS / 1000} s`));
        void this.terminate();
      }, START_TIMEOUT_MS);
      this.ready = {
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (error) => (clearTimeout(timer), reject(error)),
      };
    });
  }

  get stopped(): boolean {
    return this.stop !== null;
  }

  /** The verdict on `bundle`, or why the thread stopped before giving one (then it is gone); rejects when the check threw. */
  check(bundle: Uint8Array, deadlineMs: number): Promise<Outcome> {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.halt({ code: 'CHECK_TIMEOUT', deadlineMs });
        void this.terminate();
      }, deadlineMs);
      this.pending = {
        id,
        settle: (outcome) => {
          clearTimeout(timer);
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome);
        },
      };
      // a copy: transferring a Node Buffer's memory would empty the caller's bytes (or its pool's)
      const copy = new Uint8Array(bundle);
      this.worker.postMessage({ id, bytes: copy }, [copy.buffer]);
    });
  }

  /** The first reason a thread stops is the one its bundle gets; a start waiting on it fails. */
  private halt(stop: Stop): void {
    this.stop ??= stop;
    this.ready?.reject(new DockError('INTERNAL', `a check thread could not start (${stop.code === 'CHECK_CRASHED' ? stop.cause : 'stopped'})`));
    this.ready = null;
    const pending = this.pending;
    this.pending = null;
    pending?.settle({ halted: this.stop });
  }

  /** Stops the thread (and the model host's thread under it); resolves once it has exited. */
  async terminate(): Promise<void> {
    await this.worker.terminate();
    await this.exited;
  }
}

/** The INVALID verdict of a bundle whose check stopped with its thread. */
async function stoppedVerdict(bundle: Uint8Array, stop: Stop): Promise<CheckResult> {
  const message =
    stop.code === 'CHECK_CRASHED'
      ? `the checker's thread stopped while checking this bundle (${stop.cause})`
      : `the check did not finish within ${stop.deadlineMs / 1000} s and was stopped (the model's own time limits had not ended it)`;
  return { status: 'INVALID', reasons: [{ code: stop.code, message }], manifest: null, spec: null, sha256: await sha256Hex(bundle), passed: [] };
}

/**
 * Checks every bundle on up to `threads` check threads (never more than there are bundles) and
 * returns the verdicts in the bundles' order. `deadlineMs` bounds one check (default CHECK_DEADLINE_MS).
 */
export async function checkInThreads(bundles: readonly Uint8Array[], threads: number, deadlineMs = CHECK_DEADLINE_MS): Promise<CheckResult[]> {
  const results: CheckResult[] = new Array<CheckResult>(bundles.length);
  const live = new Set<CheckThread>();
  const stopAll = () => Promise.all([...live].map((thread) => thread.terminate()));
  const failures: unknown[] = [];
  let next = 0;
  // one lane per thread: it takes the next bundle when its thread is free, and starts a new thread when its own has stopped
  const lane = async () => {
    let thread: CheckThread | null = null;
    try {
      while (failures.length === 0 && next < bundles.length) {
        if (!thread || thread.stopped) {
          thread = new CheckThread(live);
          await thread.started();
          // the other lanes may have taken the last bundles meanwhile
          continue;
        }
        const i = next++;
        const outcome = await thread.check(bundles[i], deadlineMs);
        results[i] = 'result' in outcome ? outcome.result : await stoppedVerdict(bundles[i], outcome.halted);
      }
    } catch (error) {
      failures.push(error);
      // the other lanes' checks end with their threads, and they take no more bundles
      await stopAll();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(threads, bundles.length) }, lane));
  } finally {
    await stopAll();
  }
  if (failures.length > 0) throw failures[0];
  return results;
}
