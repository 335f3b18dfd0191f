import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  checkBundle,
  checkSemanticSpec,
  describeBundle,
  exportDenseOnnx,
  ModelError,
  modelMismatches,
  OnnxModel,
  packLearnware,
  plainOrtMessage,
  readZip,
  sha256Hex,
  tableDataset,
  TsBackend,
  type CheckResult,
} from '../../src/engine/index.js';
import { denseModel, FEATURES, makeBundle, rawZip, semanticSpec, tamper } from '../helpers/bundles.js';

const codes = (r: CheckResult) => r.reasons.map((x) => x.code);

describe('ONNX export', () => {
  it('exports an MLP that onnxruntime-web runs with the same numbers as a direct evaluation', async () => {
    const w1 = new Float32Array([0.5, -1, 0.25, 2, 1, -0.5]); // 2×3
    const b1 = new Float32Array([0.1, 0, -0.2]);
    const w2 = new Float32Array([1, -1, 0.5, 0.5, -2, 1]); // 3×2
    const b2 = new Float32Array([0, 0.3]);
    const bytes = exportDenseOnnx({
      layers: [
        { inputs: 2, outputs: 3, weights: w1, bias: b1 },
        { inputs: 3, outputs: 2, weights: w2, bias: b2 },
      ],
      output: 'softmax',
    });
    const model = await OnnxModel.load(bytes);
    const x = [1.5, -0.5, 0.2, 0.7, -1, 2];
    const { values, dims } = await model.run(new Float32Array(x), 3, 2);
    expect(dims).toEqual([3, 2]);
    for (let r = 0; r < 3; r++) {
      const h = [0, 1, 2].map((j) => Math.max(0, x[r * 2] * w1[j] + x[r * 2 + 1] * w1[3 + j] + b1[j]));
      const z = [0, 1].map((k) => h[0] * w2[k] + h[1] * w2[2 + k] + h[2] * w2[4 + k] + b2[k]);
      const e = z.map(Math.exp);
      expect(values[r * 2]).toBeCloseTo(e[0] / (e[0] + e[1]), 5);
      expect(values[r * 2 + 1]).toBeCloseTo(e[1] / (e[0] + e[1]), 5);
    }
    // concurrent runs on one session are queued, not rejected
    const results = await Promise.all([1, 2, 3].map(() => model.run(new Float32Array(x), 3, 2)));
    for (const r of results) expect(Array.from(r.values)).toEqual(Array.from(values));
    await model.dispose();
  });

  it('refuses bytes that are not a model', async () => {
    await expect(OnnxModel.load(new TextEncoder().encode('<!doctype html><html></html>'))).rejects.toMatchObject({ code: 'MODEL_LOAD' });
  });
});

describe('bundle pack → check', () => {
  it('a well-formed bundle with a working model is USABLE, and its files are hashed', async () => {
    const { bundle, manifest } = await makeBundle();
    const result = await checkBundle(bundle);
    expect(result.reasons).toEqual([]);
    expect(result.status).toBe('USABLE');
    expect(result.sha256).toBe(await sha256Hex(bundle));
    const files = readZip(bundle);
    expect([...files.keys()].sort()).toEqual(['README.md', 'learnware.json', 'model.onnx', 'rkme.json']);
    for (const [name, info] of Object.entries(manifest.files)) expect(await sha256Hex(files.get(name)!)).toBe(info.sha256);
    expect(new TextDecoder().decode(files.get('README.md'))).toMatch(/# Weather test learnware[\s\S]*temperature, pressure, humidity/);
  });

  it('regression and label models pass with the right output kind', async () => {
    const regression = await makeBundle({
      model: denseModel('identity', 1),
      kind: 'regression',
      classes: null,
      width: 1,
      semantic: semanticSpec({ Task: { Type: 'Class', Values: ['Regression'] }, Output: { Dimension: 1, Description: { '0': 'rainfall' } } }),
    });
    expect((await checkBundle(regression.bundle)).status).toBe('USABLE');
  });

  it('is deterministic: the same inputs give the same bytes', async () => {
    const a = await makeBundle();
    const b = await makeBundle();
    expect(await sha256Hex(a.bundle)).toBe(await sha256Hex(b.bundle));
  });
});

describe('checker rules, each with a failing bundle', () => {
  it('wrong dimension: spec with 4 features for a 3-feature model', async () => {
    // the spec is fitted on 4 columns while the manifest and model take 3
    const { bundle } = await makeBundle({ specDims: 4 });
    const result = await checkBundle(bundle);
    expect(result.status).toBe('INVALID');
    expect(codes(result)).toContain('DIMENSION_MISMATCH');
  });

  it('NaN or infinite outputs make the bundle NONUSABLE', async () => {
    const { bundle } = await makeBundle({
      model: denseModel('identity', 1, 1e38),
      kind: 'regression',
      classes: null,
      width: 1,
      semantic: semanticSpec({ Task: { Type: 'Class', Values: ['Regression'] }, Output: { Dimension: 1 } as never }),
    });
    const result = await checkBundle(bundle);
    expect(result.status).toBe('NONUSABLE');
    expect(codes(result)).toEqual(['NON_FINITE_OUTPUT']);
  });

  it('probabilities that do not sum to one', async () => {
    const { bundle } = await makeBundle({ model: denseModel('sigmoid', 2) });
    const result = await checkBundle(bundle);
    expect(result.status).toBe('NONUSABLE');
    expect(codes(result)).toContain('PROBABILITY_SUM');
  });

  it('labels out of the declared classes', async () => {
    const { bundle } = await makeBundle({ model: denseModel('identity', 1), kind: 'labels', width: 1 });
    const result = await checkBundle(bundle);
    expect(result.status).toBe('NONUSABLE');
    expect(codes(result)).toEqual(['LABEL_RANGE']);
  });

  it('output width different from the manifest', async () => {
    const { bundle } = await makeBundle({ model: denseModel('softmax', 3) });
    expect(codes(await checkBundle(bundle))).toContain('OUTPUT_SHAPE');
  });

  it('a tampered file fails its hash', async () => {
    const { bundle } = await makeBundle();
    const tampered = tamper(bundle, 'rkme.json', (bytes) => new TextEncoder().encode(new TextDecoder().decode(bytes).replace('"gamma":0.1', '"gamma":0.2')));
    const result = await checkBundle(tampered);
    expect(result.status).toBe('INVALID');
    expect(codes(result)).toContain('HASH_MISMATCH');
  });

  it('a missing manifest field is named', async () => {
    const { bundle } = await makeBundle();
    const broken = tamper(bundle, 'learnware.json', (bytes) => {
      const m = JSON.parse(new TextDecoder().decode(bytes));
      delete m.id;
      delete m.semantic.License;
      return new TextEncoder().encode(JSON.stringify(m));
    });
    const result = await checkBundle(broken);
    expect(result.status).toBe('INVALID');
    expect(result.reasons.map((r) => r.field)).toEqual(expect.arrayContaining(['id', 'semantic.License']));
  });

  it('a zip bomb is stopped while inflating', async () => {
    const bomb = zipSync({ 'learnware.json': new Uint8Array(300 * 2 ** 20) }, { level: 9 });
    expect(bomb.length).toBeLessThan(2 ** 20);
    const result = await checkBundle(bomb);
    expect(result.status).toBe('INVALID');
    expect(codes(result)).toEqual(['ZIP_BOMB']);
  });

  it.each(['../evil.json', '/etc/passwd', 'a/../../b', 'dir\\\\file'])('path traversal or unsafe name %s', async (name) => {
    const result = await checkBundle(rawZip({ [name]: new Uint8Array([1, 2, 3]) }));
    expect(result.status).toBe('INVALID');
    expect(codes(result)).toEqual(['UNSAFE_PATH']);
  });

  it('duplicate entries, unlisted files, missing manifest, non-zip input', async () => {
    const { bundle } = await makeBundle();
    const files = readZip(bundle);
    const extra = rawZip({ ...Object.fromEntries(files), 'payload.js': new TextEncoder().encode('alert(1)') });
    expect(codes(await checkBundle(extra))).toEqual(['UNLISTED_FILE']);
    const noManifest = rawZip({ 'model.onnx': files.get('model.onnx')! });
    expect(codes(await checkBundle(noManifest))).toEqual(['NO_MANIFEST']);
    expect(codes(await checkBundle(new TextEncoder().encode('<!doctype html><html>not a zip</html>')))).toEqual(['NOT_A_ZIP']);
    // a doubled archive body: the second copy's records are not the ones its central directory describes
    // (entries named twice in the directory: tests/unit/hostile-zip.test.ts)
    const once = zipSync({ 'a.txt': new Uint8Array([1]) });
    const doubled = new Uint8Array(once.length * 2);
    doubled.set(once);
    doubled.set(once, once.length);
    expect(() => readZip(doubled)).toThrow(/central directory/);
  });

  it('packing refuses invalid semantic values, naming each field and the allowed values', async () => {
    const run = makeBundle({ semantic: semanticSpec({ License: { Type: 'Class', Values: ['WTFPL'] }, Scenario: { Type: 'Tag', Values: [] } }) });
    await expect(run).rejects.toMatchObject({ code: 'BAD_MANIFEST' });
    await expect(run).rejects.toThrow(/semantic\.License\.Values: License "WTFPL" is not one of MIT, Apache-2\.0/);
    await expect(run).rejects.toThrow(/semantic\.Scenario\.Values: Scenario needs at least one value/);
  });

  it('the semantic Output must agree with the model output', async () => {
    const run = makeBundle({ model: denseModel('softmax', 3), classes: ['a', 'b', 'c'], width: 3 });
    await expect(run).rejects.toThrow(/semantic\.Output\.Dimension: semantic Output\.Dimension 2 differs from the model's output width 3/);
  });

  it('a table learnware needs Input, a classifier two outputs', async () => {
    const problems = checkSemanticSpec({ ...semanticSpec(), Input: undefined, Output: { Dimension: 1 } });
    expect(problems.map((p) => p.field)).toEqual(['Input', 'Output.Dimension']);
    expect(checkSemanticSpec(semanticSpec())).toEqual([]);
  });
});

describe('describing a bundle for the catalog page (no model run)', () => {
  it('gives the manifest, the model card and a spec summary of a valid bundle', async () => {
    const { bundle, manifest } = await makeBundle();
    const d = await describeBundle(bundle);
    expect(d.manifest).toEqual(manifest);
    expect(d.sha256).toBe(await sha256Hex(bundle));
    expect(d.size).toBe(bundle.length);
    expect(d.modelCard).toContain(manifest.name);
    expect(d.spec).toMatchObject({ type: 'RKMETableSpecification', label: 'table RKME', numPoints: 400 });
    expect(d.spec.summary).toMatch(/^20 reduced points in 3 dimensions summarise 400 training rows \(γ = 0.1, scale std\)$/);
    expect(d.spec.K).toBeGreaterThan(0);
  });

  it('refuses a tampered bundle, naming the file, even though the model is never run', async () => {
    const { bundle } = await makeBundle();
    const broken = tamper(bundle, 'README.md', (b) => Uint8Array.from([...b, 0x21]));
    await expect(describeBundle(broken)).rejects.toMatchObject({ code: 'INVALID_BUNDLE', message: expect.stringContaining('README.md') });
  });
});

describe('what the checker tells a developer', () => {
  const ids = (r: CheckResult) => r.passed.map((c) => c.id);

  it('lists every check a USABLE bundle passed, in order, with the bundle’s own numbers', async () => {
    const { bundle } = await makeBundle();
    const result = await checkBundle(bundle);
    expect(result.status).toBe('USABLE');
    expect(ids(result)).toEqual(['zip', 'manifest', 'files', 'spec', 'model-load', 'model-io', 'model-run', 'output-shape', 'finite', 'probabilities']);
    const labels = result.passed.map((c) => c.label).join('\n');
    expect(labels).toMatch(/agrees with the model's input \(3 features\)/);
    expect(labels).toMatch(/ran on 48 rows/);
    expect(labels).toMatch(/probabilities of 2 classes/);
  });

  it('a failing bundle lists what passed before the failure, and the failure as a reason', async () => {
    const nonFinite = await checkBundle(
      (
        await makeBundle({
          model: denseModel('identity', 1, 1e38),
          kind: 'regression',
          classes: null,
          width: 1,
          semantic: semanticSpec({ Task: { Type: 'Class', Values: ['Regression'] }, Output: { Dimension: 1 } as never }),
        })
      ).bundle,
    );
    expect(nonFinite.status).toBe('NONUSABLE');
    expect(ids(nonFinite)).toEqual(['zip', 'manifest', 'files', 'spec', 'model-load', 'model-io', 'model-run']);
    const tampered = tamper((await makeBundle()).bundle, 'rkme.json', (b) => Uint8Array.from([...b, 0x20]));
    const invalid = await checkBundle(tampered);
    expect(invalid.status).toBe('INVALID');
    expect(ids(invalid)).toEqual(['zip', 'manifest']);
  });

  it('puts onnxruntime’s error text into a sentence and keeps the raw text as a detail', async () => {
    const model = await OnnxModel.load(denseModel());
    expect(model.io.inputShape).toEqual(['N', 3]);
    expect(model.io.outputShape).toEqual(['N', 2]);
    const failure = await model.run(new Float32Array(8), 2, 4).catch((e: ModelError) => e);
    expect(failure).toBeInstanceOf(ModelError);
    expect((failure as ModelError).message).toBe(
      'the model failed on 2 rows: the model takes 3 features per row but was given 4: choose the same feature columns the model was trained on',
    );
    expect((failure as ModelError).details.raw).toMatch(/failed to call OrtRun\(\)\. ERROR_CODE: 2/);
    await model.dispose();
    // a model whose feature axis is symbolic fails inside its first layer: the same sentence
    const free = await OnnxModel.load(
      exportDenseOnnx({ layers: [{ inputs: 3, outputs: 2, weights: new Float32Array(6), bias: new Float32Array(2) }], output: 'softmax', freeInputWidth: true }),
    );
    expect(free.io.inputShape).toEqual(['N', 'features']);
    await expect(free.run(new Float32Array(8), 2, 4)).rejects.toThrow('the model failed on 2 rows: the model takes 3 features per row but was given 4');
    await free.dispose();
    expect(plainOrtMessage('something else entirely')).toBeNull();
    expect(plainOrtMessage('failed to call OrtRun(). ERROR_CODE: 2, ERROR_MESSAGE: Invalid rank for input: input Got: 1 Expected: 2 Please fix')).toMatch(
      /takes 2-dimensional input but was given 1-dimensional/,
    );
  });

  it('packing catches a feature count the model does not take before building anything, in plain words', async () => {
    const n = 50;
    const values = Float64Array.from({ length: n * 4 }, (_, i) => Math.sin(i));
    const events: string[] = [];
    const run = packLearnware(
      {
        backend: new TsBackend(),
        data: tableDataset({ values, rows: n, cols: 4, featureNames: ['a', 'b', 'c', 'd'] }),
        model: denseModel(),
        semantic: semanticSpec({ Input: { Dimension: 4, Description: {} } }),
        output: { kind: 'probabilities', classes: ['rain', 'sun'] },
      },
      { onProgress: (e) => events.push(e.phase) },
    );
    await expect(run).rejects.toMatchObject({ code: 'DIMENSION_MISMATCH' });
    await expect(run).rejects.toThrow('The model takes 3 features per row, but 4 columns are chosen (a, b, c, d): untick 1, or choose the model trained on these columns.');
    expect(events).toEqual([]);
    expect(modelMismatches({ inputName: 'input', outputName: 'output', features: 3, outputs: 2 }, ['a', 'b', 'c'], { kind: 'probabilities', classes: ['x', 'y', 'z'] })).toEqual([
      "The model gives 2 values per row, but 3 classes are listed: list one class per model output, in the model's order.",
    ]);
    expect(modelMismatches({ inputName: 'input', outputName: 'output', features: null, outputs: null }, ['a'], { kind: 'regression', classes: null })).toEqual([]);
  });

  it('packing reports its phases after the spec build: packing, then the check', async () => {
    const n = 60;
    const values = Float64Array.from({ length: n * 3 }, (_, i) => Math.cos(i * 0.7));
    const phases: string[] = [];
    const packed = await packLearnware(
      {
        backend: new TsBackend(),
        data: tableDataset({ values, rows: n, cols: 3, featureNames: FEATURES }),
        model: denseModel(),
        semantic: semanticSpec(),
        output: { kind: 'probabilities', classes: ['rain', 'sun'] },
        specOptions: { K: 10 },
      },
      { onProgress: (e) => e.status === 'start' && phases.push(e.phase) },
    );
    expect(packed.check.status).toBe('USABLE');
    expect(phases.slice(-2)).toEqual(['pack', 'check']);
    expect(phases.indexOf('kmeans')).toBeGreaterThanOrEqual(0);
    expect(phases.indexOf('kmeans')).toBeLessThan(phases.indexOf('pack'));
  });
});
