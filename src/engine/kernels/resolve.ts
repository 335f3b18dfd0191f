/**
 * Picks a compute backend by feature detection, in the caller's order of preference
 * (default webgpu → wasm → cpu → ts), the way onnxruntime-web's resolver does: each candidate is
 * tried once, failures are recorded with their reason, and only when none works is one error
 * thrown listing every attempt.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../core/errors.js';
import { withTimeout } from '../core/timeout.js';
import { BACKEND_NAMES, LANE_BLOCK_ROWS, type BackendName, type ComputeBackend } from './backend.js';
import { TsBackend } from './backend-ts.js';
import { TfjsBackend, type TfjsBackendName } from './backend-tfjs.js';
import { isSoftwareAdapter, type GpuLike } from './adapter.js';

export interface BackendSettings {
  /** Backends to try, in order. Default: webgpu, wasm, cpu, ts. */
  preference?: readonly BackendName[];
  /**
   * Where the tfjs wasm binaries are: a URL/path prefix ending in '/', or a map from file name
   * (tfjs-backend-wasm.wasm, -simd.wasm, -threaded-simd.wasm) to URL. Required for 'wasm'.
   */
  wasmPaths?: string | Record<string, string>;
  /** Rows per device block for tfjs backends. */
  blockRows?: number;
  /**
   * Accept a software WebGPU adapter (SwiftShader, llvmpipe, WARP, or one flagged as fallback).
   * Default false: on such adapters tfjs-webgpu ran 20–45× slower than WASM here (README, Benchmark).
   */
  allowSoftwareGpu?: boolean;
  /** Give up on a backend whose initialisation takes longer than this (default 20 s). */
  initTimeoutMs?: number;
}

export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  reason?: string;
}

export interface ResolvedBackend {
  backend: ComputeBackend;
  attempts: BackendAttempt[];
}

const DEFAULT_BLOCK_ROWS: Record<TfjsBackendName, number> = { webgpu: 65536, wasm: LANE_BLOCK_ROWS, cpu: LANE_BLOCK_ROWS };

let wasmPathsSet = false;

export async function resolveBackend(settings: BackendSettings = {}): Promise<ResolvedBackend> {
  const preference = settings.preference ?? BACKEND_NAMES;
  const attempts: BackendAttempt[] = [];
  for (const name of preference) {
    if (!BACKEND_NAMES.includes(name)) {
      attempts.push({ name, ok: false, reason: `unknown backend (known: ${BACKEND_NAMES.join(', ')})` });
      continue;
    }
    try {
      // a backend whose start never settles (e.g. a wasm binary that cannot load) must not hang the app
      const ms = settings.initTimeoutMs ?? 20_000;
      const backend = name === 'ts' ? new TsBackend() : await withTimeout(initTfjs(name, settings), ms, () => new Error(`did not start within ${ms / 1000} s`));
      attempts.push({ name, ok: true });
      return { backend, attempts };
    } catch (error) {
      attempts.push({ name, ok: false, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  throw new BackendError('NO_BACKEND', `no compute backend could start: ${attempts.map((a) => `[${a.name}] ${a.reason}`).join('; ')}`, { attempts });
}

async function initTfjs(name: TfjsBackendName, settings: BackendSettings): Promise<ComputeBackend> {
  if (typeof process !== 'undefined' && process.versions?.node) {
    // Silences tfjs-cpu's "install tfjs-node" banner; tfjs-node needs a native download we avoid.
    tf.env().set('PROD', true);
  }
  let device: string = name;
  if (name === 'webgpu') {
    const gpu = (globalThis.navigator as unknown as { gpu?: GpuLike } | undefined)?.gpu;
    if (!gpu) throw new Error('WebGPU is not available (navigator.gpu is missing)');
    const adapter = await gpu.requestAdapter();
    if (!adapter) throw new Error('WebGPU has no adapter (requestAdapter returned null)');
    const info = adapter.info;
    const label = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ') || 'unknown adapter';
    if (!settings.allowSoftwareGpu && isSoftwareAdapter(adapter)) {
      throw new Error(`the WebGPU adapter is a software renderer (${label}), slower than WASM, so it is skipped`);
    }
    device = `webgpu: ${label}`;
    await import('@tensorflow/tfjs-backend-webgpu');
  } else if (name === 'wasm') {
    if (!settings.wasmPaths) throw new Error('no wasmPaths given for the tfjs wasm binaries');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (!wasmPathsSet) {
      // The threaded build spawns its pthreads from a Blob script, which never starts inside a
      // bundled module worker (init hangs; seen with vite build + COOP/COEP): SIMD, one thread.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      wasm.setWasmPaths(settings.wasmPaths);
      wasmPathsSet = true;
    }
    device = 'wasm (SIMD, single thread)';
  } else {
    await import('@tensorflow/tfjs-backend-cpu');
    device = 'tfjs cpu (JavaScript, Float32)';
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tfjs could not initialise the '${name}' backend`);
  await tf.ready();
  return new TfjsBackend(name, device, settings.blockRows ?? DEFAULT_BLOCK_ROWS[name]);
}
