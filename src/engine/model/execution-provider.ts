/**
 * Which onnxruntime-web execution provider runs the learnwares' models, decided in one place for
 * the reuse worker and the CLI: WebGPU when there is a hardware adapter (a software one such as
 * SwiftShader or llvmpipe is slower than WASM on the same CPU), else WASM, with the reason; and
 * how many WASM threads. The caller passes in what it knows of its environment (navigator.gpu,
 * cross-origin isolation, core count): the engine touches no browser global.
 */
import { isSoftwareAdapter, type GpuLike } from '../kernels/adapter.js';
import type { RunnerOptions } from './onnx-runner.js';

export type ExecutionProvider = 'webgpu' | 'wasm';

export interface ProviderChoice {
  provider: ExecutionProvider;
  /** why WebGPU is not used, when it is not (or why WASM was forced) */
  reason?: string;
}

export interface ProviderRequest {
  /** 'wasm' forces WASM; 'webgpu' accepts a software adapter (tests, or a user who asks) */
  prefer?: ExecutionProvider;
  /** navigator.gpu where there is one; absent in Node */
  gpu?: GpuLike;
}

/** WebGPU on a hardware adapter (or any adapter when asked for), else WASM with the reason. */
export async function chooseExecutionProvider(request: ProviderRequest = {}): Promise<ProviderChoice> {
  if (request.prefer === 'wasm') return { provider: 'wasm', reason: 'WASM was asked for' };
  const gpu = request.gpu;
  if (!gpu) return { provider: 'wasm', reason: 'this browser has no WebGPU' };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { provider: 'wasm', reason: 'no WebGPU adapter' };
    if (isSoftwareAdapter(adapter) && request.prefer !== 'webgpu') return { provider: 'wasm', reason: 'the WebGPU adapter is a software renderer, slower than WASM' };
    return { provider: 'webgpu' };
  } catch (error) {
    return { provider: 'wasm', reason: `WebGPU failed: ${(error as Error).message}` };
  }
}

/** The session options for a provider: WebGPU falls back to WASM for what it cannot run. */
export function runnerOptions(provider: ExecutionProvider): RunnerOptions {
  return { executionProviders: provider === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'] };
}

/** WASM threads: 2–4 (half the cores) when the page is cross-origin isolated (SharedArrayBuffer), else 1. */
export function wasmThreadsFor(crossOriginIsolated: boolean, hardwareConcurrency = 2): number {
  return crossOriginIsolated ? Math.min(4, Math.max(2, Math.floor(hardwareConcurrency / 2))) : 1;
}
