/**
 * WebGPU adapter detection without tfjs (the reuse worker runs ONNX models and loads no tfjs):
 * the slice of the WebGPU API used, and whether an adapter is a software renderer.
 */
export interface AdapterLike {
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

export interface GpuLike {
  requestAdapter(): Promise<AdapterLike | null>;
}

/** SwiftShader, llvmpipe, WARP and the like: real WebGPU, but slower than WASM on the same CPU. */
export function isSoftwareAdapter(adapter: AdapterLike): boolean {
  if (adapter.isFallbackAdapter || adapter.info?.isFallbackAdapter) return true;
  const text = [adapter.info?.vendor, adapter.info?.architecture, adapter.info?.description].join(' ');
  return /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i.test(text);
}
