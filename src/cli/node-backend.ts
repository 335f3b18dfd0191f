/** Compute backend for Node: tfjs wasm (the fastest CPU path) with the plain-TS reference as fallback. */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { resolveBackend, type BackendName, type ResolvedBackend } from '../engine/index.js';
import { usage } from './args.js';

const NODE_BACKENDS: readonly BackendName[] = ['wasm', 'cpu', 'ts'];

/** The tfjs wasm binaries inside node_modules. */
export const NODE_WASM_PATHS = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';

export async function nodeBackend(name: string | undefined): Promise<ResolvedBackend> {
  if (name !== undefined && !NODE_BACKENDS.includes(name as BackendName)) {
    throw usage(`--backend must be one of ${NODE_BACKENDS.join(', ')} in Node (webgpu needs a browser), got ${JSON.stringify(name)}`);
  }
  const preference: BackendName[] = name === undefined ? ['wasm', 'ts'] : [name as BackendName];
  return resolveBackend({ preference, wasmPaths: NODE_WASM_PATHS });
}
