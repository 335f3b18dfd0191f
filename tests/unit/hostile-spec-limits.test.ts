/**
 * Hostile-input suite (issue 17, defect 3); limits per verdict: 30 s and 1.5 GB.
 * One set of limits for table specs (K ≤ 2,000, d ≤ 10,000: comparing costs K² · d), enforced
 * wherever a spec is read: stat.json (a bundle's, the CLI's), catalog shards, the checker and the
 * page's detail (describeBundle). Hostile specs are generated here.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  checkBundle,
  decodeShard,
  describeBundle,
  encodeShard,
  MAX_K,
  MAX_TABLE_D,
  parseStatSpec,
  readZip,
  sha256Hex,
  writeZip,
  type Manifest,
  type RkmeTableSpec,
} from '../../src/engine/index.js';
import { makeBundle } from '../helpers/bundles.js';

function statJson(K: number, d: number): string {
  const z = Array.from({ length: K }, (_, i) => Array.from({ length: d }, (_, f) => (i + f) % 7));
  return JSON.stringify({ type: 'RKMETableSpecification', z, beta: new Array(K).fill(1 / K), gamma: 0.1, num_points: 1000 });
}

function spec(K: number, d: number): RkmeTableSpec {
  return {
    type: 'RKMETableSpecification',
    K,
    d,
    gamma: 0.1,
    numPoints: 100,
    beta: new Float64Array(K).fill(1 / K),
    z: new Float64Array(K * d).map((_, i) => i % 5),
    scale: null,
    scaleSource: null,
    featureNames: null,
    provenance: null,
  };
}

/** the bundle with its stat.json replaced and the manifest's size and hash of it updated (a consistent hostile bundle) */
async function withStatJson(bundle: Uint8Array, text: string): Promise<Uint8Array> {
  const files = readZip(bundle);
  const manifest = JSON.parse(new TextDecoder().decode(files.get('learnware.json')!)) as Manifest;
  const name = manifest.specs[0].file;
  const bytes = new TextEncoder().encode(text);
  files.set(name, bytes);
  manifest.files[name] = { size: bytes.length, sha256: await sha256Hex(bytes) };
  files.set('learnware.json', new TextEncoder().encode(JSON.stringify(manifest)));
  return writeZip(files);
}

vi.setConfig({ testTimeout: 30_000 });

describe('table spec limits', () => {
  it('are K ≤ 2,000 and d ≤ 10,000', () => {
    expect(MAX_K).toBe(2_000);
    expect(MAX_TABLE_D).toBe(10_000);
  });

  it('stat.json: K = 2,001 or d = 10,001 is refused (SPEC_LIMIT) before anything K-sized is built; the limits themselves are read', () => {
    expect(() => parseStatSpec(statJson(MAX_K + 1, 1))).toThrow(expect.objectContaining({ code: 'SPEC_LIMIT', message: expect.stringContaining('K = 2001') }));
    expect(() => parseStatSpec(statJson(1, MAX_TABLE_D + 1))).toThrow(expect.objectContaining({ code: 'SPEC_LIMIT' }));
    expect(parseStatSpec(statJson(MAX_K, 1)).K).toBe(MAX_K);
  });

  it('catalog shards: a record with K = 2,001, or a shard of d = 10,001, is refused (SPEC_LIMIT)', () => {
    const { bytes } = encodeShard([spec(3, 2), spec(MAX_K + 1, 2)], 2);
    expect(() => decodeShard(bytes)).toThrow(expect.objectContaining({ code: 'SPEC_LIMIT', message: expect.stringContaining('record 1 has K = 2001') }));
    expect(() => decodeShard(encodeShard([spec(1, MAX_TABLE_D + 1)], MAX_TABLE_D + 1).bytes)).toThrow(expect.objectContaining({ code: 'SPEC_LIMIT' }));
    expect(decodeShard(encodeShard([spec(MAX_K, 2)], 2).bytes)[0].K).toBe(MAX_K);
  });

  it('the checker and the detail page (describeBundle): a bundle whose stat.json has K = 20,000 is INVALID with SPEC_LIMIT', async () => {
    const { bundle } = await makeBundle();
    const hostile = await withStatJson(bundle, statJson(20_000, 3));
    const result = await checkBundle(hostile);
    expect(result.status).toBe('INVALID');
    expect(result.reasons.map((r) => r.code)).toEqual(['SPEC_LIMIT']);
    await expect(describeBundle(hostile)).rejects.toMatchObject({ code: 'INVALID_BUNDLE', message: expect.stringContaining('K = 20000') });
  });
});
