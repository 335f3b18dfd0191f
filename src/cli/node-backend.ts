/** Compute backend for Node: tfjs wasm (the fastest CPU path) with the plain-TS reference as fallback. */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { resolveBackend, type BackendName, type ResolvedBackend } from '../engine/index.js';
import { usage } from './args.js';

const NODE_BACKENDS: readonly BackendName[] = ['wasm', 'cpu', 'ts'];

export async function nodeBackend(name: string | undefined): Promise<ResolvedBackend> {
  if (name !== undefined && !NODE_BACKENDS.includes(name as BackendName)) {
    throw usage(`--backend must be one of ${NODE_BACKENDS.join(', ')} in Node (webgpu needs a browser), got ${JSON.stringify(name)}`);
  }
  const preference: BackendName[] = name === undefined ? ['wasm', 'ts'] : [name as BackendName];
  const require = createRequire(import.meta.url);
  const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
  return resolveBackend({ preference, wasmPaths: wasmDir });
}
