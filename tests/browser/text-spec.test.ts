/**
 * Chromium's side of the cross-environment text fixture (tests/shared/text-fixture.ts): the same
 * texts give the same embeddings as in Node, and the same text RKME on every backend — plain TS
 * exactly, tfjs WebGPU, WASM and CPU within the backends' stated spec tolerance.
 */
import { describe, expect, it } from 'vitest';
import { resolveBackend, TsBackend } from '../../src/engine/index.js';
import { TFJS_WASM_PATHS } from '../../workers/wasm-paths.js';
import { TOLERANCE } from '../shared/backend-agreement.js';
import { computeTextFixture, readFixture, specDistance } from '../shared/text-fixture.js';
import texts from '../fixtures/text-spec/texts.jsonl?raw';
import nodeFixture from '../fixtures/text-spec/node-spec.json?raw';

const committed = readFixture(nodeFixture);
const jsonl = new TextEncoder().encode(texts);
const embedder = fetch('/embedders/glove-100d-50k.bin').then(async (r) => new Uint8Array(await r.arrayBuffer()));

describe('text specs in Chromium equal Node’s', () => {
  it('plain TS: the same embeddings digit for digit (sums and products only), the same spec to rounding (Math.exp may differ in the last bits between V8 versions)', async () => {
    const result = await computeTextFixture(new TsBackend(), await embedder, jsonl);
    expect(result.embeddings).toEqual(committed.embeddings);
    const beta = committed.spec.rkme.beta;
    result.spec.rkme.beta.forEach((b, i) => expect(Math.abs(b - beta[i])).toBeLessThan(1e-12));
    expect(specDistance(result.spec, committed.spec)).toBeLessThan(1e-12);
  });

  it.each(['webgpu', 'wasm', 'cpu'] as const)('tfjs %s: the spec within the stated tolerance', async (name) => {
    const { backend } = await resolveBackend({ preference: [name], wasmPaths: TFJS_WASM_PATHS, allowSoftwareGpu: true });
    expect(backend.name).toBe(name);
    const result = await computeTextFixture(backend, await embedder, jsonl);
    expect(result.embeddings).toEqual(committed.embeddings);
    expect(specDistance(result.spec, committed.spec)).toBeLessThan(TOLERANCE.specDistance);
  });
});
