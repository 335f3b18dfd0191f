/**
 * The body of one check thread (check-pool.ts): checks the bundles it is sent, one at a time,
 * with the engine's checker, and answers each with its verdict. Its models run in a model host of
 * its own (model-host.ts), as the main thread's do, so every time limit and memory cap still holds.
 */
import { parentPort } from 'node:worker_threads';
// the checker's modules only, not the whole engine: the thread starts in a third of the time
import { checkBundle } from '../engine/bundle/checker.js';
import { serializeError } from '../engine/core/errors.js';
import { setModelHost } from '../engine/model/host.js';
import { nodeModelHost, runTimeoutFromEnvironment } from './model-host.js';

const port = parentPort!;
setModelHost(nodeModelHost({ maxTimeoutMs: runTimeoutFromEnvironment() }));

port.on('message', async ({ id, bytes }: { id: number; bytes: Uint8Array }) => {
  try {
    port.postMessage({ id, result: await checkBundle(bytes) });
  } catch (error) {
    // not a verdict but a failure of the check itself: the pool stops the build with it, as one thread would
    port.postMessage({ id, error: serializeError(error) });
  }
});
port.postMessage({ ready: true });
