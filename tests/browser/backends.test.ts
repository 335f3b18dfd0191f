/**
 * Runs in real headless Chromium (vitest browser mode, --enable-unsafe-webgpu): the WebGPU
 * backend is a real adapter (SwiftShader on machines without a GPU).
 */
import { describe, expect, it } from 'vitest';
import { resolveBackend } from '../../src/engine/index.js';
import { TFJS_WASM_PATHS } from '../../workers/wasm-paths.js';
import { expectAgreement } from '../shared/backend-agreement.js';

const wasmPaths = TFJS_WASM_PATHS;

describe('compute backends in Chromium agree with the Float64 reference', () => {
  it('skips a software WebGPU adapter by default, saying why, and falls back to WASM', async () => {
    const { backend, attempts } = await resolveBackend({ wasmPaths });
    expect(attempts[0]).toMatchObject({ name: 'webgpu', ok: false });
    expect(attempts[0].reason).toMatch(/software renderer \(.*swiftshader.*\), slower than WASM/i);
    expect(backend.name).toBe('wasm');
  });

  it('uses the WebGPU adapter first when software adapters are allowed', async () => {
    const { backend, attempts } = await resolveBackend({ wasmPaths, allowSoftwareGpu: true });
    expect(attempts[0]).toEqual({ name: 'webgpu', ok: true });
    expect(backend.name).toBe('webgpu');
    expect(backend.device).toMatch(/^webgpu: /);
  });

  it.each(['webgpu', 'wasm', 'cpu'] as const)('tfjs %s', async (name) => {
    const { backend } = await resolveBackend({ preference: [name], wasmPaths, allowSoftwareGpu: true });
    expect(backend.name).toBe(name);
    await expectAgreement(backend);
  });
});
