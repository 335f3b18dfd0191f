/**
 * A kernel lane of the spec worker's compute pool (src/engine/kernels/pool.ts, docs/parallel.md):
 * starts its own backend of the kind the spec worker chose and serves row blocks through comlink.
 */
import * as Comlink from 'comlink';
import { LANE_BLOCK_ROWS, type BackendName } from '../src/engine/kernels/backend.js';
import { LaneServer } from '../src/engine/kernels/pool.js';
import { resolveBackend } from '../src/engine/kernels/resolve.js';
import { registerErrorTransfer } from './errors.js';
import { TFJS_WASM_PATHS } from './wasm-paths.js';

registerErrorTransfer();

const api = {
  /** Starts the backend (once) and returns the lane. */
  async start(name: BackendName): Promise<LaneServer> {
    const { backend } = await resolveBackend({ preference: [name], wasmPaths: TFJS_WASM_PATHS, blockRows: LANE_BLOCK_ROWS });
    return Comlink.proxy(new LaneServer(backend, LANE_BLOCK_ROWS));
  },
};

export type KernelLaneApi = typeof api;

Comlink.expose(api);
