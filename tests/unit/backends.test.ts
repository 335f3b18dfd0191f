import { describe, expect, it } from 'vitest';
import { BackendError, resolveBackend } from '../../src/engine/index.js';
import { NODE_WASM_PATHS } from '../../src/cli/node-backend.js';
import { expectAgreement } from '../shared/backend-agreement.js';

const wasmPaths = NODE_WASM_PATHS;

describe('compute backends in Node agree with the Float64 reference', () => {
  it.each(['cpu', 'wasm'] as const)('tfjs %s', async (name) => {
    const { backend } = await resolveBackend({ preference: [name], wasmPaths });
    expect(backend.name).toBe(name);
    await expectAgreement(backend);
  });

  it('falls back in preference order and reports why each backend was skipped', async () => {
    const { backend, attempts } = await resolveBackend({ preference: ['webgpu', 'ts'] });
    expect(backend.name).toBe('ts');
    expect(attempts[0]).toMatchObject({ name: 'webgpu', ok: false });
    expect(attempts[0].reason).toMatch(/WebGPU is not available/);
  });

  it('throws one error listing every attempt when nothing starts', async () => {
    const run = resolveBackend({ preference: ['webgpu', 'wasm'] }); // wasm without wasmPaths
    await expect(run).rejects.toBeInstanceOf(BackendError);
    await expect(resolveBackend({ preference: ['webgpu', 'wasm'] })).rejects.toThrow(/\[webgpu\].*\[wasm\] no wasmPaths/);
  });
});
