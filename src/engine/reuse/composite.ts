/**
 * A reused model saved for later: a composite bundle (zip) holding `composite.json` — the method,
 * the components' ids, names, bundle SHA-256 and weights, the trained selector or linear head — and
 * the component bundles themselves under components/<sha256>.zip, so it predicts again offline.
 * A composite reused through a column mapping keeps it (`mapping`): it reads a new table with the
 * same columns as the one it was made on, renamed, rescaled or lacking columns as that one was
 * (docs/heterogeneous.md §5); a composite without one (and every older one) reads columns by name.
 * Loading re-checks every component (hash and checker) like any other bundle: models are data.
 */
import { FormatError, InputError } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';
import { checkJsonDepth } from '../core/json.js';
import { readZip, writeZip, type ZipLimits } from '../core/zip.js';
import type { RunnerOptions } from '../model/onnx-runner.js';
import type { ColumnMapping } from '../data/column-map.js';
import { loadLearnware, predictLearnware, alignRows, type Learnware, type PredictOptions } from './learnware.js';
import { reuseAligners } from './reuse.js';
import type { JobSelector } from './methods/job-selector.js';
import type { LinearHead } from './methods/feature-augment.js';
import { isReuseMethod, reuseMethod, type ReuseMethod } from './registry.js';
import type { Predictions, TaskKind } from './predictions.js';

export const COMPOSITE_FORMAT = 'learnware-dock/composite';
export const COMPOSITE_FILE = 'composite.json';

export interface CompositeSpec {
  format: typeof COMPOSITE_FORMAT;
  formatVersion: 1;
  name: string;
  createdAt: string;
  method: ReuseMethod;
  /** the features the composite takes, in order */
  features: string[];
  task: { kind: TaskKind; classes: string[] | null };
  components: { id: string; name: string; sha256: string; weight: number }[];
  /** the job selector's fitted state (methods/job-selector.ts) */
  selector?: JobSelector;
  /** feature augmentation's fitted state (methods/feature-augment.ts) */
  head?: LinearHead;
  /** how the user's columns fed `features` when it was made (search's mapping; absent: by name) */
  mapping?: ColumnMapping;
}

export interface Composite {
  spec: CompositeSpec;
  learnwares: Learnware[];
  /** the component bundles by SHA-256, as read (to pack the composite again, e.g. under another name) */
  bundles: Map<string, Uint8Array>;
}

const componentPath = (sha256: string) => `components/${sha256}.zip`;

export function packComposite(spec: CompositeSpec, bundles: ReadonlyMap<string, Uint8Array>): Uint8Array {
  checkCompositeSpec(spec);
  const files = new Map<string, Uint8Array>([[COMPOSITE_FILE, new TextEncoder().encode(JSON.stringify(spec, null, 1) + '\n')]]);
  for (const c of spec.components) {
    const bytes = bundles.get(c.sha256);
    if (!bytes) throw new InputError('MISSING_COMPONENT', `no bundle given for component ${c.id}`);
    files.set(componentPath(c.sha256), bytes);
  }
  return writeZip(files);
}

export async function loadComposite(bytes: Uint8Array, options: RunnerOptions & { zipLimits?: Partial<ZipLimits> } = {}): Promise<Composite> {
  const files = readZip(bytes, { maxEntries: 16, ...options.zipLimits });
  const json = files.get(COMPOSITE_FILE);
  if (!json) throw new FormatError('NO_COMPOSITE', `not a composite learnware: ${COMPOSITE_FILE} is missing`);
  let spec: CompositeSpec;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(json);
    checkJsonDepth(text, COMPOSITE_FILE);
    spec = JSON.parse(text) as CompositeSpec;
  } catch (error) {
    if ((error as { code?: string }).code === 'TOO_DEEP') throw error;
    throw new FormatError('BAD_COMPOSITE', `${COMPOSITE_FILE} is not valid JSON: ${(error as Error).message}`);
  }
  checkCompositeSpec(spec);
  const expected = new Set([COMPOSITE_FILE, ...spec.components.map((c) => componentPath(c.sha256))]);
  for (const name of files.keys()) if (!expected.has(name)) throw new FormatError('BAD_COMPOSITE', `unlisted file ${name} in the composite`);
  const learnwares: Learnware[] = [];
  const bundles = new Map<string, Uint8Array>();
  for (const c of spec.components) {
    const bundle = files.get(componentPath(c.sha256));
    if (!bundle) throw new FormatError('BAD_COMPOSITE', `component ${c.id} is missing from the composite`);
    if ((await sha256Hex(bundle)) !== c.sha256) throw new FormatError('HASH_MISMATCH', `component ${c.id} does not match its SHA-256`);
    const lw = await loadLearnware(bundle, options);
    if (lw.id !== c.id) throw new FormatError('BAD_COMPOSITE', `component ${c.sha256} is ${lw.id}, the composite says ${c.id}`);
    learnwares.push(lw);
    bundles.set(c.sha256, bundle);
  }
  return { spec, learnwares, bundles };
}

/** Predicts the user's rows with a loaded composite (columns fed by the aligner: by name unless told otherwise). */
export async function predictComposite(composite: Composite, values: Float64Array, rows: number, userColumns: readonly string[], options: PredictOptions = {}): Promise<Predictions> {
  const { spec, learnwares } = composite;
  const method = reuseMethod(spec.method);
  const restored = method.restore(spec);
  if ('problem' in restored) throw new FormatError('BAD_COMPOSITE', `${COMPOSITE_FILE}: ${restored.problem}`);
  const weights = spec.components.map((c) => c.weight);
  const aligners = reuseAligners(learnwares, { aligner: options.aligner, mapping: compositeMapping(spec, userColumns), weights });
  const outputs: Predictions[] = [];
  for (const [k, lw] of learnwares.entries()) outputs.push(await predictLearnware(lw, values, rows, userColumns, { ...options, aligner: aligners.of(k) }));
  let x: Float64Array | null = null;
  return method.predict(restored.state, {
    outputs,
    weights,
    rows,
    d: spec.features.length,
    x: () => (x ??= alignRows(values, rows, userColumns, spec.features, aligners.rows)),
  });
}

/** The columns a composite reads from a table: its mapping's user columns, else its features by name. */
export function compositeColumns(spec: CompositeSpec): string[] {
  return spec.mapping ? spec.mapping.pairs.map((p) => p.user) : [...spec.features];
}

/**
 * The mapping a composite reads `userColumns` through: its own when the table has the columns it
 * reads; none (by name) when the table has the composite's features as they are (the island's own
 * file) or when it has no mapping. MISSING_COLUMNS names what the mapping reads otherwise.
 */
function compositeMapping(spec: CompositeSpec, userColumns: readonly string[]): ColumnMapping | undefined {
  const mapping = spec.mapping;
  if (!mapping) return undefined;
  const absent = mapping.pairs.filter((p) => !userColumns.includes(p.user)).map((p) => p.user);
  if (absent.length === 0) return mapping;
  if (spec.features.every((f) => userColumns.includes(f))) return undefined;
  throw new InputError(
    'MISSING_COLUMNS',
    `this model reads ${mapping.pairs.map((p) => `"${p.user}"`).join(', ')} (the columns of the table it was made on) or its own features ${spec.features.join(', ')}; your table lacks ${absent.map((a) => `"${a}"`).join(', ')}`,
    { missing: absent },
  );
}

function checkCompositeSpec(spec: CompositeSpec): void {
  const fail = (message: string): never => {
    throw new FormatError('BAD_COMPOSITE', `${COMPOSITE_FILE}: ${message}`);
  };
  if (spec?.format !== COMPOSITE_FORMAT || spec.formatVersion !== 1) fail(`format must be ${COMPOSITE_FORMAT} version 1`);
  if (!isReuseMethod(spec.method)) fail(`unknown method ${JSON.stringify(spec.method)}`);
  if (!Array.isArray(spec.features) || spec.features.length === 0 || spec.features.some((f) => typeof f !== 'string')) fail('features must be a list of names');
  if (!Array.isArray(spec.components) || spec.components.length < 1 || spec.components.length > 8) fail('it needs 1–8 components');
  for (const c of spec.components)
    if (!/^[0-9a-f]{64}$/.test(c?.sha256 ?? '') || typeof c.id !== 'string' || !(c.weight >= 0) || !Number.isFinite(c.weight))
      fail('every component needs an id, a sha256 and a finite weight ≥ 0');
  const task = spec.task;
  if (!task || (task.kind !== 'regression' && task.kind !== 'classification')) fail('task.kind must be regression or classification');
  const classes = task.kind === 'classification' ? task.classes : null;
  if (task.kind === 'classification' && (!Array.isArray(classes) || classes.length < 2 || classes.some((c) => typeof c !== 'string')))
    fail('a classification task needs its class names');
  if (spec.mapping !== undefined) checkMapping(spec.mapping, spec.features, fail);
  const restored = reuseMethod(spec.method).restore(spec);
  if ('problem' in restored) fail(restored.problem);
}

/** A stored mapping is hostile input: pairs of names into `features`, finite non-zero factors, finite offsets. */
function checkMapping(mapping: ColumnMapping, features: readonly string[], fail: (message: string) => never): void {
  if (typeof mapping !== 'object' || mapping === null || !Array.isArray(mapping.pairs) || !Array.isArray(mapping.missing) || !Array.isArray(mapping.ignored)) {
    fail('mapping must have pairs, missing and ignored lists');
  }
  const seen = new Set<string>();
  for (const p of mapping.pairs) {
    if (typeof p?.user !== 'string' || typeof p.island !== 'string' || !features.includes(p.island)) fail('every mapping pair needs a user column and one of the features');
    if (!(Number.isFinite(p.factor) && p.factor !== 0 && Number.isFinite(p.offset))) fail(`the mapping of "${p.island}" needs a finite non-zero factor and a finite offset`);
    if (seen.has(p.island)) fail(`the mapping feeds "${p.island}" twice`);
    seen.add(p.island);
  }
  if (mapping.missing.some((m) => typeof m !== 'string' || !features.includes(m) || seen.has(m))) fail('mapping.missing must name features no pair feeds');
  if (mapping.ignored.some((m) => typeof m !== 'string')) fail('mapping.ignored must be a list of names');
}
