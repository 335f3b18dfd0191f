/**
 * Packing a learnware, start to finish (a use case: the CLI's `pack` and the publish worker both
 * call it, so they follow one set of rules): the spec of the training data is built by the spec
 * type of the data's kind, the model's input and output names are read from the ONNX file, the
 * bundle is packed and then checked (the model run by onnxruntime, never executed as code).
 */
import { InputError } from '../core/errors.js';
import type { JobOptions } from '../core/progress.js';
import type { ComputeBackend } from '../kernels/backend.js';
import { OnnxModel } from '../model/onnx-runner.js';
import { specTypesFor, type AnySpecType } from '../spec/registry.js';
import type { Dataset, SpecBuildReport, StatSpec } from '../spec/spec-type.js';
import { checkBundle, type CheckResult } from './checker.js';
import type { Manifest, OutputKind } from './manifest.js';
import { packBundle } from './pack.js';
import type { SemanticSpec } from './semantic.js';

export interface PackLearnwareInput {
  backend: ComputeBackend;
  /** the training features (no label column), with their names */
  data: Dataset & { featureNames: string[] };
  /** ONNX model bytes */
  model: Uint8Array;
  semantic: SemanticSpec;
  /** bundle id (default: a slug of the semantic Name) */
  id?: string;
  output: { kind: OutputKind; classes: string[] | null; width?: number };
  /** the spec type's own settings (table RKME: K, gamma, seed, steps, scale); its defaults otherwise */
  specOptions?: object;
  readme?: string;
  createdAt?: Date;
}

export interface PackedLearnware {
  bundle: Uint8Array;
  manifest: Manifest;
  spec: StatSpec;
  /** the spec builder's report (warnings such as a K capped by a small table) */
  report: SpecBuildReport;
  /** the checker's verdict on the packed bundle */
  check: CheckResult;
}

/** The spec type a kind of data gets by default: the first registered for it. */
export function defaultSpecType(dataKind: string): AnySpecType {
  const [type] = specTypesFor(dataKind);
  if (!type) throw new InputError('NO_SPEC_TYPE', `no specification type builds from ${dataKind} data`);
  return type;
}

export async function packLearnware(input: PackLearnwareInput, options: JobOptions = {}): Promise<PackedLearnware> {
  const type = defaultSpecType(input.data.kind);
  let io: { inputNames: readonly string[]; outputNames: readonly string[] };
  const model = await OnnxModel.load(input.model);
  try {
    io = model.io;
  } finally {
    await model.dispose();
  }
  const { spec, report } = await type.build(input.backend, input.data, { ...input.specOptions, ...options });
  const { kind, classes } = input.output;
  if (kind !== 'regression' && !(classes && classes.length >= 2)) throw new InputError('NO_CLASSES', 'a classifier needs at least two class names, in the order of its outputs');
  const width = kind === 'probabilities' ? classes!.length : kind === 'labels' ? 1 : (input.output.width ?? 1);
  const name = input.semantic?.Name?.Values;
  const id = input.id ?? slug(typeof name === 'string' ? name : 'learnware');
  const { bundle, manifest } = await packBundle({
    id,
    name: typeof name === 'string' && name.trim() !== '' ? name : id,
    semantic: input.semantic,
    model: input.model,
    input: { name: io.inputNames[0], features: input.data.featureNames },
    output: { name: io.outputNames[0], kind, classes: kind === 'regression' ? null : classes, width },
    spec,
    readme: input.readme,
    createdAt: input.createdAt,
  });
  return { bundle, manifest, spec, report, check: await checkBundle(bundle) };
}

/** A bundle id from a name: lower case, a–z 0–9 . _ -, at most 64 characters. */
export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64) || 'learnware'
  );
}
