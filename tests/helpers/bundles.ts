/** Builds real test bundles: a spec from seeded data, an exported ONNX model, a valid semantic spec. */
import { zipSync } from 'fflate';
import {
  buildTableRkme,
  exportDenseOnnx,
  packBundle,
  readZip,
  TsBackend,
  writeZip,
  type DenseModel,
  type Manifest,
  type OutputKind,
  type SemanticSpec,
} from '../../src/engine/index.js';
import { gaussianMixture } from '../shared/synthetic.js';

export const FEATURES = ['temperature', 'pressure', 'humidity'];

export function semanticSpec(overrides: Partial<SemanticSpec> = {}): SemanticSpec {
  return {
    Data: { Type: 'Class', Values: ['Table'] },
    Task: { Type: 'Class', Values: ['Classification'] },
    Library: { Type: 'Class', Values: ['Others'] },
    Scenario: { Type: 'Tag', Values: ['Nature'] },
    License: { Type: 'Class', Values: ['MIT'] },
    Name: { Type: 'String', Values: 'weather classifier' },
    Description: { Type: 'String', Values: 'Predicts rain or sun from three weather readings.' },
    Input: { Dimension: 3, Description: { '0': 'temperature', '1': 'pressure', '2': 'humidity' } },
    Output: { Dimension: 2, Description: { '0': 'rain', '1': 'sun' } },
    ...overrides,
  };
}

/** A 3-feature model: softmax over 2 classes unless overridden. */
export function denseModel(output: DenseModel['output'] = 'softmax', width = 2, scale = 1): Uint8Array {
  const weights = new Float32Array(3 * width).map((_, i) => (((i * 7) % 5) - 2) * 0.3 * scale);
  return exportDenseOnnx({ layers: [{ inputs: 3, outputs: width, weights, bias: new Float32Array(width).fill(0.1) }], output });
}

export interface BundleOptions {
  id?: string;
  model?: Uint8Array;
  kind?: OutputKind;
  classes?: string[] | null;
  width?: number;
  specDims?: number;
  semantic?: SemanticSpec;
  /** training data: seed of the mixture and a shift added to every value (different distributions) */
  dataSeed?: number;
  shift?: number;
}

export async function makeBundle(options: BundleOptions = {}): Promise<{ bundle: Uint8Array; manifest: Manifest }> {
  const d = options.specDims ?? 3;
  const n = 400;
  const x = gaussianMixture(n, d, 2, options.dataSeed ?? 4).map((v) => v + (options.shift ?? 0));
  const { spec } = await buildTableRkme(new TsBackend(), x, n, d, { K: 20, scale: 'std' });
  const kind = options.kind ?? 'probabilities';
  const semantic = options.semantic ?? semanticSpec({ Task: { Type: 'Class', Values: [kind === 'regression' ? 'Regression' : 'Classification'] } });
  return packBundle({
    id: options.id ?? 'weather-test',
    name: options.id ? `Weather ${options.id}` : 'Weather test learnware',
    semantic,
    model: options.model ?? denseModel(),
    input: { name: 'input', features: FEATURES },
    output: { name: 'output', kind, classes: options.classes === undefined ? ['rain', 'sun'] : options.classes, width: options.width ?? 2 },
    spec,
    createdAt: new Date('2026-11-24T00:00:00Z'),
  });
}

/** Rewrites one file of a bundle (keeping the manifest as it was: a tampered bundle). */
export function tamper(bundle: Uint8Array, name: string, edit: (bytes: Uint8Array) => Uint8Array): Uint8Array {
  const files = readZip(bundle);
  files.set(name, edit(files.get(name)!));
  return writeZip(files);
}

/** A zip with arbitrary (possibly unsafe) entry names, bypassing writeZip's checks. */
export function rawZip(entries: Record<string, Uint8Array>): Uint8Array {
  return zipSync(entries);
}
