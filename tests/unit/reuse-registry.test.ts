/**
 * The reuse method registry, the column aligner, the execution-provider choice, the reuse use case's
 * choices and the workers' job and result bookkeeping — pure code, no model files (a fake model).
 */
import { describe, expect, it } from 'vitest';
import {
  chooseExecutionProvider,
  chooseLearnwares,
  defaultLearnwares,
  exactNameAligner,
  InputError,
  isReuseMethod,
  LABELLED_METHODS,
  parseCsv,
  recommendedReuseMethod,
  refsFromIndex,
  reusableIsland,
  reuseOffer,
  reuseLearnwares,
  reuseMethod,
  reuseMethodDescriptors,
  reuseMethods,
  REUSE_METHODS,
  runnerOptions,
  userTable,
  wasmThreadsFor,
  type CatalogIndex,
  type CatalogSearchIsland,
  type ColumnAligner,
  type CompositeSpec,
  type Learnware,
} from '../../src/engine/index.js';
import { HeldById } from '../../workers/held.js';
import { Jobs } from '../../workers/jobs.js';

const ref = (id: string) => ({ id, name: id, mmd2: 0, score: 1, rank: 1, bundle: { file: `bundles/${id}.zip`, sha256: id.padEnd(64, '0'), size: 1 } });

function island(recommended: CatalogSearchIsland['recommended'], singles = 6): CatalogSearchIsland {
  const list = Array.from({ length: singles }, (_, i) => ref(`lw${i}`));
  return {
    island: 'i',
    features: ['a', 'b'],
    singles: list,
    mixture: recommended === 'mixture' ? { ids: ['lw1', 'lw3'], names: ['lw1', 'lw3'], bundles: [list[1].bundle, list[3].bundle], weights: [0.7, 0.3], mmd2: 0, score: 1 } : null,
    recommended,
  };
}

describe('reuse method registry', () => {
  it('lists the methods in display order, each with what people see', () => {
    expect(REUSE_METHODS).toEqual(['single', 'average', 'job-selector', 'ensemble-pruning', 'feature-augment']);
    expect(reuseMethods.map((m) => m.id)).toEqual(REUSE_METHODS);
    expect(LABELLED_METHODS).toEqual(['ensemble-pruning', 'feature-augment']);
    const descriptors = reuseMethodDescriptors();
    // plain data: it crosses the worker boundary unchanged
    expect(structuredClone(descriptors)).toEqual(descriptors);
    for (const d of descriptors) {
      expect(Object.keys(d).sort()).toEqual(['description', 'id', 'label', 'needsLabels', 'shortLabel']);
      expect(d.label.length).toBeGreaterThan(3);
      expect(d.description.length).toBeGreaterThan(10);
    }
  });

  it('finds a method by its own id only; anything else is UNKNOWN_METHOD naming the known ones', () => {
    expect(reuseMethod('job-selector').id).toBe('job-selector');
    for (const id of ['magic', 'constructor', '__proto__', 'toString', 'hasOwnProperty', '']) {
      expect(isReuseMethod(id), id).toBe(false);
      expect(() => reuseMethod(id), id).toThrow(InputError);
      expect(() => reuseMethod(id), id).toThrow(expect.objectContaining({ code: 'UNKNOWN_METHOD', message: expect.stringContaining('single, average, job-selector') }));
    }
  });

  it('recommends the job selector for a mixture, the best single otherwise, with or without labels', () => {
    for (const hasLabels of [true, false]) {
      expect(recommendedReuseMethod({ recommended: 'mixture', hasLabels })).toBe('job-selector');
      expect(recommendedReuseMethod({ recommended: 'single', hasLabels })).toBe('single');
      expect(recommendedReuseMethod({ recommended: 'none', hasLabels })).toBe('single');
    }
  });

  it('takes each method’s default learnwares from a search result', () => {
    const mixed = island('mixture');
    const single = island('single');
    expect(defaultLearnwares(single, 'single').refs.map((r) => r.id)).toEqual(['lw0']);
    expect(defaultLearnwares(mixed, 'average')).toEqual({
      refs: [
        { id: 'lw1', bundle: mixed.singles[1].bundle },
        { id: 'lw3', bundle: mixed.singles[3].bundle },
      ],
      weights: [0.7, 0.3],
    });
    expect(defaultLearnwares(mixed, 'job-selector').weights).toEqual([0.7, 0.3]);
    expect(defaultLearnwares(single, 'average').refs.map((r) => r.id)).toEqual(['lw0', 'lw1', 'lw2']);
    expect(defaultLearnwares(single, 'average').weights).toBeUndefined();
    for (const m of ['ensemble-pruning', 'feature-augment', 'evaluate'] as const) expect(defaultLearnwares(mixed, m).refs).toHaveLength(5);
    expect(() => defaultLearnwares(island('none', 0), 'single')).toThrow(expect.objectContaining({ code: 'NO_LEARNWARES' }));
  });

  it('each method reads back only a state it can use from a composite.json', () => {
    const spec = {
      method: 'job-selector',
      features: ['a', 'b'],
      task: { kind: 'regression', classes: null },
      components: [{ id: 'x', name: 'x', sha256: 'f'.repeat(64), weight: 1 }],
    } as unknown as CompositeSpec;
    expect(reuseMethod('job-selector').restore(spec)).toEqual({ problem: 'the job selector: missing' });
    expect(reuseMethod('feature-augment').restore({ ...spec, method: 'feature-augment' })).toMatchObject({ problem: expect.stringContaining('linear head') });
    for (const id of ['single', 'average', 'ensemble-pruning']) expect(reuseMethod(id).restore({ ...spec, method: id } as CompositeSpec)).toEqual({ state: null });
  });
});

describe('the use case’s choices', () => {
  it('reuses the first island with a learnware; says when there is none', () => {
    expect(reusableIsland([island('none', 0), island('single', 2)]).singles).toHaveLength(2);
    expect(() => reusableIsland([])).toThrow(expect.objectContaining({ code: 'NO_ISLAND' }));
    expect(() => reusableIsland([island('none', 0)])).toThrow(expect.objectContaining({ code: 'NO_LEARNWARES' }));
  });

  it('offers the registry’s methods and recommendation for the island reused, or nothing', () => {
    const offer = reuseOffer([island('none', 0), island('mixture')])!;
    expect(offer.island).toBe(1);
    expect(offer.methods).toEqual(reuseMethodDescriptors());
    expect(offer.recommended).toEqual({ labelled: 'job-selector', unlabelled: 'job-selector' });
    expect(reuseOffer([island('single')])!.recommended).toEqual({ labelled: 'single', unlabelled: 'single' });
    expect(reuseOffer([island('none', 0)])).toBeNull();
    expect(reuseOffer([])).toBeNull();
  });

  it('named learnwares win over the search result; unknown names are UNKNOWN_LEARNWARE', () => {
    const index = {
      entries: [
        { id: 'a', bundle: ref('a').bundle },
        { id: 'b', bundle: ref('b').bundle },
      ],
    } as unknown as CatalogIndex;
    expect(chooseLearnwares({ learnwares: refsFromIndex(index, ['b']), islands: [island('single')] }, 'single').refs.map((r) => r.id)).toEqual(['b']);
    expect(chooseLearnwares({ islands: [island('single')] }, 'single').refs.map((r) => r.id)).toEqual(['lw0']);
    expect(() => refsFromIndex(index, ['c'])).toThrow(expect.objectContaining({ code: 'UNKNOWN_LEARNWARE' }));
    expect(() => chooseLearnwares({}, 'single')).toThrow(expect.objectContaining({ code: 'NO_LEARNWARES' }));
  });

  it('the user’s table: the chosen features only, never the label; an unknown feature is named', () => {
    const table = parseCsv('id,a,b,y\n1,2,3,4\n2,5,6,\n');
    const picked = userTable(table, { features: ['b', 'a', 'y'], labelColumn: 'y' });
    expect(picked.matrix.featureNames).toEqual(['a', 'b']);
    expect(Array.from(picked.matrix.values)).toEqual([2, 3, 5, 6]);
    expect(picked.labels).toEqual([4, null]);
    expect(userTable(table, { dropColumns: ['id'], labelColumn: 'y' }).matrix.featureNames).toEqual(['a', 'b']);
    expect(() => userTable(table, { features: ['a', 'nope'] })).toThrow(expect.objectContaining({ code: 'UNKNOWN_COLUMN', message: expect.stringContaining('"nope"') }));
  });
});

describe('column aligners', () => {
  it('the default matches by exact name in any order and names every missing column', () => {
    const mapping = exactNameAligner.align(['c', 'b', 'a'], { features: ['a', 'b'] });
    expect(mapping.features).toEqual(['a', 'b']);
    expect(Array.from(mapping.apply(Float64Array.from([3, 2, 1, 30, 20, 10]), 2))).toEqual([1, 2, 10, 20]);
    expect(() => exactNameAligner.align(['a'], { features: ['a', 'b', 'c'] })).toThrow(expect.objectContaining({ code: 'MISSING_COLUMNS', details: { missing: ['b', 'c'] } }));
  });

  it('another aligner plugs into reuse: a model taking "x" fed from the user’s "renamed"', async () => {
    // a fake learnware whose model returns its first input: what reaches the model is what the aligner chose
    const lw = {
      id: 'fake',
      name: 'fake',
      sha256: '0'.repeat(64),
      manifest: { model: { input: { features: ['x'] }, output: { kind: 'regression', classes: null, shape: [null, 1] } } },
      spec: { type: 'fake', K: 1, numPoints: 1 },
      model: { run: async (values: Float32Array) => ({ values: Float32Array.from(values), dims: [values.length, 1] }) },
    } as unknown as Learnware;
    const renaming: ColumnAligner = {
      id: 'rename',
      align: (columns, schema) => ({
        features: schema.features,
        apply: (values, rows) => Float64Array.from({ length: rows }, (_, r) => values[r * columns.length + columns.indexOf('renamed')]),
      }),
    };
    const input = { method: 'single' as const, learnwares: [lw], values: Float64Array.from([1, 7, 2, 8]), rows: 2, columns: ['other', 'renamed'] };
    await expect(reuseLearnwares(input)).rejects.toMatchObject({ code: 'MISSING_COLUMNS' });
    const result = await reuseLearnwares({ ...input, aligner: renaming });
    expect(Array.from(result.predictions.values)).toEqual([7, 8]);
    expect(result.composite.components).toEqual([{ id: 'fake', name: 'fake', sha256: '0'.repeat(64), weight: 1 }]);
  });
});

describe('execution provider', () => {
  const gpu = (info: Record<string, unknown> | null) => ({ requestAdapter: async () => (info ? { info } : null) });

  it('WebGPU on a hardware adapter; WASM otherwise, with the reason', async () => {
    expect(await chooseExecutionProvider({ gpu: gpu({ vendor: 'nvidia', architecture: 'ampere' }) })).toEqual({ provider: 'webgpu' });
    expect(await chooseExecutionProvider({ gpu: gpu({ vendor: 'google', description: 'SwiftShader Device' }) })).toEqual({
      provider: 'wasm',
      reason: 'the WebGPU adapter is a software renderer, slower than WASM',
    });
    expect(await chooseExecutionProvider({ gpu: gpu({ description: 'SwiftShader' }), prefer: 'webgpu' })).toEqual({ provider: 'webgpu' });
    expect(await chooseExecutionProvider({ gpu: gpu({ vendor: 'nvidia' }), prefer: 'wasm' })).toEqual({ provider: 'wasm', reason: 'WASM was asked for' });
    expect(await chooseExecutionProvider({ gpu: gpu(null) })).toEqual({ provider: 'wasm', reason: 'no WebGPU adapter' });
    expect(await chooseExecutionProvider()).toEqual({ provider: 'wasm', reason: 'this browser has no WebGPU' });
    const failing = { requestAdapter: async () => Promise.reject(new Error('lost')) };
    expect(await chooseExecutionProvider({ gpu: failing })).toEqual({ provider: 'wasm', reason: 'WebGPU failed: lost' });
  });

  it('session options and WASM threads', () => {
    expect(runnerOptions('webgpu')).toEqual({ executionProviders: ['webgpu', 'wasm'] });
    expect(runnerOptions('wasm')).toEqual({ executionProviders: ['wasm'] });
    expect(wasmThreadsFor(false, 16)).toBe(1);
    expect([2, 4, 8, 16].map((cores) => wasmThreadsFor(true, cores))).toEqual([2, 2, 4, 4]);
  });
});

describe('worker bookkeeping', () => {
  it('keeps things by id, the last few only, and says when one is gone', async () => {
    const released: string[] = [];
    const held = new HeldById<string>('result', 2, (v) => void released.push(v));
    const [a, b, c] = ['A', 'B', 'C'].map((v) => held.add(v));
    expect(new Set([a, b, c]).size).toBe(3);
    expect([held.get(b), held.get(c)]).toEqual(['B', 'C']);
    expect(released).toEqual(['A']);
    expect(() => held.get(a)).toThrow(expect.objectContaining({ code: 'UNKNOWN_RESULT' }));
  });

  it('cancels a running job by id and forgets it when it ends', async () => {
    const jobs = new Jobs();
    let seen: AbortSignal | null = null;
    const running = jobs.run('j1', (signal) => {
      seen = signal;
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    });
    expect(jobs.cancel('j1')).toBe(true);
    await expect(running).rejects.toThrow('aborted');
    expect(seen!.aborted).toBe(true);
    expect(jobs.cancel('j1')).toBe(false);
    expect(await jobs.run('j2', async () => 42)).toBe(42);
    expect(jobs.cancel('j2')).toBe(false);
  });
});
