/** Compute backend for Node: tfjs wasm (the fastest CPU path) with the plain-TS reference as fallback, on one thread or a pool of them. */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { resolveBackend, type BackendName, type ResolvedBackend } from '../engine/index.js';
import { numberOption, usage, type ParsedArgs } from './args.js';
import { defaultThreads, MAX_THREADS, startNodePool } from './kernel-pool.js';

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

/** --threads N, an integer in 1..max (default max: MAX_THREADS, the compute pool's); undefined when not given. */
export function threadsOption(args: ParsedArgs, max = MAX_THREADS): number | undefined {
  return numberOption(args, 'threads', (v) => Number.isInteger(v) && v >= 1 && v <= max, `an integer in 1..${max}`);
}

/** The compute pool's threads: --threads, else every core (at most MAX_THREADS). */
export function computeThreads(args: ParsedArgs): number {
  return threadsOption(args) ?? defaultThreads();
}

/**
 * Blocks per thread below which a thread costs more to start (~1 s: the TypeScript loader and the
 * WASM backend) than it saves: a 9,000-row spec takes ~0.3 s on one thread.
 */
const BLOCKS_PER_THREAD = 4;

/**
 * The backend of a command whose data splits into `blocks` row blocks (kernels/pool.ts): a pool
 * of up to `threads` worker threads, each with at least BLOCKS_PER_THREAD blocks to work on, else
 * this thread. Either gives the same spec bit for bit (docs/parallel.md). Dispose it when done.
 */
export async function commandBackend(name: string | undefined, threads: number, blocks: number): Promise<ResolvedBackend> {
  const resolved = await nodeBackend(name);
  const lanes = Math.min(threads, Math.floor(blocks / BLOCKS_PER_THREAD));
  if (lanes < 2) return resolved;
  return { ...resolved, backend: await startNodePool(lanes, resolved.backend.name, NODE_WASM_PATHS) };
}
