/**
 * Hostile-input suite: specifications, tables and JSON that used to end in a thrown error instead
 * of a verdict (issue 17, defect 10). Limits per verdict: 30 s and 1.5 GB (each case here takes
 * at most a few seconds).
 */
import { describe, expect, it, vi } from 'vitest';
import { buildTableRkme, checkBundle, checkJsonDepth, readZip, sha256Hex, specType, TsBackend, writeZip } from '../../src/engine/index.js';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { makeBundle } from '../helpers/bundles.js';

// the suite's limit per verdict (memory: the zip bomb case measures its own; nothing here holds more than ~100 MB)
vi.setConfig({ testTimeout: 30_000 });

const deep = (levels: number) => '['.repeat(levels) + '1' + ']'.repeat(levels);

/** A bundle whose rkme.json is edited, re-hashed in the manifest (so only the spec rules can refuse it). */
async function withSpec(edit: (spec: Record<string, unknown>) => void): Promise<Uint8Array> {
  const { bundle } = await makeBundle();
  const files = readZip(bundle);
  const spec = JSON.parse(new TextDecoder().decode(files.get('rkme.json')));
  edit(spec);
  const bytes = new TextEncoder().encode(JSON.stringify(spec));
  files.set('rkme.json', bytes);
  const manifest = JSON.parse(new TextDecoder().decode(files.get('learnware.json')));
  manifest.files['rkme.json'] = { sha256: await sha256Hex(bytes), size: bytes.length };
  files.set('learnware.json', new TextEncoder().encode(JSON.stringify(manifest)));
  return writeZip(files);
}

describe('hostile specs: a verdict, never a thrown error', () => {
  it('an all-negative β is INVALID (BAD_WEIGHTS), not an exception from the probe run', async () => {
    const bundle = await withSpec((spec) => {
      const negate = (v: unknown): unknown => (Array.isArray(v) ? v.map(negate) : -Math.abs(v as number));
      spec.beta = negate(spec.beta);
    });
    const result = await checkBundle(bundle);
    expect(result.status).toBe('INVALID');
    expect(result.reasons.map((r) => r.code)).toEqual(['BAD_WEIGHTS']);
  });

  it('catalog build --skip-unusable names the all-negative-β bundle and builds the rest (it used to abort)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lwd-hostile-'));
    mkdirSync(join(dir, 'in'));
    writeFileSync(join(dir, 'in', 'good.zip'), (await makeBundle()).bundle);
    writeFileSync(join(dir, 'in', 'negative.zip'), await withSpec((spec) => (spec.beta = (spec.beta as number[]).map((b) => -Math.abs(b)))));
    let err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    try {
      expect(await main(['catalog', 'build', join(dir, 'in'), '--out', join(dir, 'cat'), '--skip-unusable'])).toBe(0);
    } finally {
      vi.restoreAllMocks();
    }
    expect(err).toMatch(/negative\.zip: INVALID; BAD_WEIGHTS/);
  });

  it('a 1e300 cell is VALUE_TOO_LARGE, naming the row and the feature', async () => {
    const x = new Float64Array(60).map((_, i) => Math.sin(i));
    x[7] = 1e300;
    await expect(buildTableRkme(new TsBackend(), x, 20, 3, { K: 4, featureNames: ['a', 'b', 'c'] })).rejects.toMatchObject({
      code: 'VALUE_TOO_LARGE',
      message: expect.stringMatching(/row 3, feature 2 \(b\)/),
    });
  });

  it.each([1e308, 1e-308, Infinity])('gamma %s is BAD_GAMMA', async (gamma) => {
    const x = new Float64Array(60).map((_, i) => Math.sin(i));
    await expect(buildTableRkme(new TsBackend(), x, 20, 3, { K: 4, gamma })).rejects.toMatchObject({ code: 'BAD_GAMMA' });
  });

  it('an island scale of 1e-300 or a gamma of 0 is refused by the settings check', () => {
    const table = specType('RKMETableSpecification');
    const schema = { d: 2, features: ['a', 'b'] };
    expect(table.checkSettings({ gamma: 0.1, scale: [1, 1e-300] }, schema)).toMatch(/scale/);
    expect(table.checkSettings({ gamma: 0, scale: null }, schema)).toMatch(/gamma/);
    expect(table.checkSettings({ gamma: 0.1, scale: [1, 2] }, schema)).toBeNull();
  });

  it('a deeply nested manifest is INVALID (TOO_DEEP); the depth scan ignores brackets in strings', async () => {
    const { bundle } = await makeBundle();
    const files = readZip(bundle);
    const manifest = new TextDecoder().decode(files.get('learnware.json')).replace(/^\{/, `{"extra":${deep(100_000)},`);
    files.set('learnware.json', new TextEncoder().encode(manifest));
    const result = await checkBundle(writeZip(files));
    expect(result.status).toBe('INVALID');
    expect(result.reasons.map((r) => r.code)).toEqual(['TOO_DEEP']);
    expect(() => checkJsonDepth(`{"a":"${'['.repeat(1000)}\\"["}`, 'x')).not.toThrow();
    expect(() => checkJsonDepth(deep(65), 'x')).toThrow(/65 levels/);
  });
});
