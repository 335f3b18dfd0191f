/**
 * The body of one kernel lane worker thread: starts its own backend (workerData: backend,
 * wasmPaths) and serves the pool's calls through comlink; its first message says whether the
 * backend started.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
// the kernels only, not the whole engine: a lane starts in a fraction of the time
import { LANE_BLOCK_ROWS, type BackendName } from '../engine/kernels/backend.js';
import { LaneServer } from '../engine/kernels/pool.js';
import { resolveBackend } from '../engine/kernels/resolve.js';

const port = parentPort!;
const { backend: name, wasmPaths } = workerData as { backend: BackendName; wasmPaths: string };
try {
  const { backend } = await resolveBackend({ preference: [name], wasmPaths, blockRows: LANE_BLOCK_ROWS });
  Comlink.expose(new LaneServer(backend, LANE_BLOCK_ROWS), nodeEndpoint(port));
  port.postMessage({ lane: 'ready' });
} catch (error) {
  port.postMessage({ lane: 'failed', message: error instanceof Error ? error.message : String(error) });
}
