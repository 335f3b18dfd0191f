/**
 * The usability checker: decides whether a bundle may enter a catalog. Same code in a worker, in
 * the CLI and in the catalog builder. Statuses (docs/bundle-format.md):
 *   INVALID   the bundle is unsafe or malformed (zip rules, manifest, hashes, spec) — refused;
 *   NONUSABLE well formed, but the model fails its run check;
 *   USABLE    everything passed.
 * Every reason is kept (the reference stops at the first and turns exceptions into a bare status).
 * The model is data: it is only ever run by onnxruntime, never executed as code, and it runs in the
 * model host (model/host.ts): in the CLI and the page a worker that is terminated when the probe
 * passes its time limit (MODEL_TIMEOUT) or memory cap (MODEL_MEMORY), or the job is cancelled.
 */
import { sha256Hex } from '../core/hash.js';
import { checkJsonDepth } from '../core/json.js';
import { loadModel, MODEL_LIMITS, type HostedModel, type ModelHost } from '../model/host.js';
import { parseStatSpec, specType } from '../spec/registry.js';
import type { StatSpec } from '../spec/spec-type.js';
import { checkManifest, MANIFEST_FILE, type Manifest } from './manifest.js';
import { DockError } from '../core/errors.js';
import { readZip, type ZipLimits } from '../core/zip.js';
import { decodeText } from '../data/text.js';
import { parseVocab } from '../data/token-ids.js';

export type CheckStatus = 'USABLE' | 'NONUSABLE' | 'INVALID';

export interface CheckReason {
  code: string;
  message: string;
  field?: string;
  /** the underlying tool's own words (onnxruntime's error text), when the message puts them in a sentence */
  detail?: string;
}

/** A check the checker ran and the bundle passed. */
export interface PassedCheck {
  /** stable id: zip, manifest, files, spec, model-load, model-io, model-run, output-shape, finite, probabilities, labels */
  id: string;
  /** what was checked, in a sentence (with the bundle's own numbers) */
  label: string;
}

export interface CheckResult {
  status: CheckStatus;
  reasons: CheckReason[];
  manifest: Manifest | null;
  /** the bundle's (first) statistical spec, once it has passed its checks */
  spec: StatSpec | null;
  /** SHA-256 of the whole bundle (its content address in a catalog) */
  sha256: string;
  /** every check that was run and passed, in the order they ran (a failed check is a reason instead; later checks are not run) */
  passed: PassedCheck[];
}

export interface CheckOptions {
  zipLimits?: Partial<ZipLimits>;
  /** give up on a model run after this long (default 10 s) */
  runTimeoutMs?: number;
  /** where the probe runs (default: the host set with setModelHost) */
  host?: ModelHost;
  /** cancels the probe run (the host stops it) */
  signal?: AbortSignal;
  /** herded plus random rows fed to the model (default 32 + 16) */
  herdedRows?: number;
  randomRows?: number;
}

export async function checkBundle(bundle: Uint8Array, options: CheckOptions = {}): Promise<CheckResult> {
  const inspected = await inspectBundle(bundle, options);
  if ('status' in inspected) return inspected;
  const { manifest, spec, sha256, files, passed } = inspected;
  const run = await runCheck(files.get(manifest.model.file)!, manifest, spec, options);
  return { status: run.reasons.length === 0 ? 'USABLE' : 'NONUSABLE', reasons: run.reasons, manifest, spec, sha256, passed: [...passed, ...run.passed] };
}

export interface InspectedBundle {
  manifest: Manifest;
  spec: StatSpec;
  sha256: string;
  /** the bundle's files, every one matching its size and SHA-256 in the manifest */
  files: Map<string, Uint8Array>;
  /** the checks passed so far (all but the model run) */
  passed: PassedCheck[];
}

/**
 * Every check but the model run: zip rules, manifest, file integrity, specs. Returns the
 * INVALID result when one fails (catalog browsing shows a bundle's card without running it).
 */
export async function inspectBundle(bundle: Uint8Array, options: Pick<CheckOptions, 'zipLimits'> = {}): Promise<InspectedBundle | CheckResult> {
  const sha256 = await sha256Hex(bundle);
  const passed: PassedCheck[] = [];
  const invalid = (reasons: CheckReason[], manifest: Manifest | null = null): CheckResult => ({ status: 'INVALID', reasons, manifest, spec: null, sha256, passed });

  let files: Map<string, Uint8Array>;
  try {
    files = readZip(bundle, options.zipLimits);
  } catch (error) {
    const e = error as DockError;
    return invalid([{ code: e.code ?? 'CORRUPT_ZIP', message: e.message }]);
  }
  passed.push({ id: 'zip', label: `a safe zip archive: ${files.size} entries with plain relative names, within the size limits, no zip bomb` });
  const manifestBytes = files.get(MANIFEST_FILE);
  if (!manifestBytes) return invalid([{ code: 'NO_MANIFEST', message: `the bundle has no ${MANIFEST_FILE}` }]);
  let manifestValue: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(manifestBytes);
    checkJsonDepth(text, MANIFEST_FILE);
    manifestValue = JSON.parse(text);
  } catch (error) {
    if ((error as DockError).code === 'TOO_DEEP') return invalid([{ code: 'TOO_DEEP', message: (error as Error).message }]);
    return invalid([{ code: 'BAD_MANIFEST', message: `${MANIFEST_FILE} is not valid UTF-8 JSON: ${(error as Error).message}` }]);
  }
  const problems = checkManifest(manifestValue);
  if (problems.length > 0) return invalid(problems.map((p) => ({ code: p.code ?? 'BAD_MANIFEST', message: p.message, field: p.field })));
  const manifest = manifestValue as Manifest;
  passed.push({
    id: 'manifest',
    label: `${MANIFEST_FILE} is valid, its semantic specification included (${manifest.semantic.Task.Values[0]}, ${manifest.semantic.Scenario.Values.join(', ')})`,
  });

  // integrity: every listed file present with its size and hash; nothing unlisted
  const reasons: CheckReason[] = [];
  for (const [name, expected] of Object.entries(manifest.files)) {
    const bytes = files.get(name);
    if (!bytes) {
      reasons.push({ code: 'MISSING_FILE', message: `${name} is listed in the manifest but not in the bundle`, field: `files.${name}` });
      continue;
    }
    if (bytes.length !== expected.size)
      reasons.push({ code: 'SIZE_MISMATCH', message: `${name} is ${bytes.length} bytes, the manifest says ${expected.size}`, field: `files.${name}.size` });
    if ((await sha256Hex(bytes)) !== expected.sha256)
      reasons.push({ code: 'HASH_MISMATCH', message: `${name} does not match its SHA-256 in the manifest (tampered or corrupted)`, field: `files.${name}.sha256` });
  }
  for (const name of files.keys()) {
    // own properties only: `name in files` is true for constructor, toString, hasOwnProperty… (Object.prototype)
    if (name !== MANIFEST_FILE && !Object.hasOwn(manifest.files, name))
      reasons.push({ code: 'UNLISTED_FILE', message: `${name} is in the bundle but not listed in the manifest`, field: 'files' });
  }
  if (reasons.length > 0) return invalid(reasons, manifest);
  passed.push({ id: 'files', label: `every file matches its size and SHA-256 in the manifest (${Object.keys(manifest.files).join(', ')}), and nothing else is in the bundle` });

  // statistical spec: parses, and its spec type finds no problem with it against the model input
  let spec: StatSpec | null = null;
  for (const entry of manifest.specs) {
    try {
      const parsed = parseStatSpec(new TextDecoder().decode(files.get(entry.file)!));
      if (parsed.type !== entry.type) reasons.push({ code: 'BAD_SPEC', message: `${entry.file} is a ${parsed.type}, the manifest says ${entry.type}`, field: 'specs' });
      for (const problem of specType(parsed.type).check(parsed, manifest.model.input))
        reasons.push({ code: problem.code, message: `${entry.file}: ${problem.message}`, field: 'specs' });
      spec ??= parsed;
    } catch (error) {
      // a spec over the limits (K, d) keeps its own code, whichever reader found it
      reasons.push({ code: (error as DockError).code === 'SPEC_LIMIT' ? 'SPEC_LIMIT' : 'BAD_SPEC', message: `${entry.file}: ${(error as Error).message}`, field: 'specs' });
    }
  }
  const text = manifest.model.input.text;
  if (text) {
    // the vocabulary is what turns a user's texts into this model's ids: it must read, and be as long as declared
    try {
      const vocab = parseVocab(decodeText(files.get(text.vocab)!, text.vocab));
      if (vocab.size !== text.vocabSize)
        reasons.push({ code: 'BAD_VOCAB', message: `${text.vocab} holds ${vocab.size} tokens, the manifest says ${text.vocabSize}`, field: 'model.input.text.vocabSize' });
    } catch (error) {
      reasons.push({ code: (error as DockError).code ?? 'BAD_VOCAB', message: `${text.vocab}: ${(error as Error).message}`, field: 'model.input.text.vocab' });
    }
  }
  if (reasons.length > 0 || !spec) return invalid(reasons, manifest);
  const features = manifest.model.input.features.length;
  const image = manifest.model.input.image;
  const input = text
    ? `token ids of length ${text.maxLength} from a vocabulary of ${text.vocabSize} tokens`
    : image
      ? `${image.channels === 1 ? 'grey' : 'RGB'} images of ${image.width}×${image.height} pixels`
      : `${features} feature${features === 1 ? '' : 's'}`;
  passed.push({ id: 'spec', label: `${manifest.specs.map((s) => s.file).join(', ')} parses and agrees with the model's input (${input})` });
  return { manifest, spec, sha256, files, passed };
}

/** Float32 values an image model's probe holds at most (64 MiB): 48 images up to 3 × 340 × 340, fewer beyond. */
export const PROBE_IMAGE_VALUES = 2 ** 24;

async function runCheck(modelBytes: Uint8Array, manifest: Manifest, spec: StatSpec, options: CheckOptions): Promise<{ reasons: CheckReason[]; passed: PassedCheck[] }> {
  // rows drawn from the spec itself (its type knows how): herded ones and random ones around its points
  let herded = options.herdedRows ?? 32;
  let random = options.randomRows ?? 16;
  const size = manifest.model.input.image;
  if (size) {
    // large images: fewer of them, so the probe stays within PROBE_IMAGE_VALUES float32s (at least one of each kind)
    const per = size.channels * size.height * size.width;
    const fit = Math.floor(PROBE_IMAGE_VALUES / per);
    if (herded + random > fit) {
      const share = herded / Math.max(1, herded + random);
      [herded, random] = [Math.max(1, Math.floor(fit * share)), Math.max(1, fit - Math.max(1, Math.floor(fit * share)))];
    }
  }
  const feed = specType(spec.type).probeFeed(spec, manifest.model.input, { herded, random });
  const rows = feed.dims[0];
  const passed: PassedCheck[] = [];
  const failed = (reason: CheckReason) => ({ reasons: [reason], passed });
  const timeout = options.runTimeoutMs ?? MODEL_LIMITS.checkTimeoutMs;
  let model: HostedModel;
  try {
    model = await loadModel(modelBytes, { host: options.host, runTimeoutMs: timeout });
  } catch (error) {
    const code = (error as DockError).code;
    if (code === 'CANCELLED') throw error;
    return failed({ code: code === 'MODEL_MEMORY' || code === 'MODEL_TIMEOUT' || code === 'MODEL_HOST' ? code : 'MODEL_LOAD', message: (error as Error).message });
  }
  passed.push({ id: 'model-load', label: `${manifest.model.file} loads in onnxruntime (as data: nothing in the bundle is executed as code)` });
  try {
    const { input: inputInfo, output: outputInfo } = manifest.model;
    if (model.io.inputNames[0] !== inputInfo.name)
      return failed({ code: 'MODEL_IO', message: `the model's input is "${model.io.inputNames[0]}", the manifest says "${inputInfo.name}"` });
    if (model.io.outputNames[0] !== outputInfo.name)
      return failed({ code: 'MODEL_IO', message: `the model's output is "${model.io.outputNames[0]}", the manifest says "${outputInfo.name}"` });
    const image = inputInfo.image;
    if (image) {
      // an image model's declared [N, C, H, W] must be the size the manifest feeds it (symbolic axes take any)
      const declared = model.io.inputShape;
      const wanted = [image.channels, image.height, image.width];
      if (declared && (declared.length !== 4 || wanted.some((v, i) => typeof declared[i + 1] === 'number' && declared[i + 1] !== v))) {
        return failed({
          code: 'MODEL_IO',
          message: `the model's input is [${declared.join(', ')}], the manifest feeds it images [n, ${wanted.join(', ')}] (channels, height, width)`,
        });
      }
      if (feed.dtype !== 'float32' || feed.dims.length !== 4 || wanted.some((v, i) => feed.dims[i + 1] !== v)) {
        return failed({
          code: 'BAD_SPEC',
          message: `the ${spec.type} probe gave a ${feed.dtype} [${feed.dims.join(', ')}] input, the model takes float32 images [n, ${wanted.join(', ')}]`,
        });
      }
    }
    passed.push({
      id: 'model-io',
      label: `the model's input "${inputInfo.name}"${image ? ` (images [n, ${image.channels}, ${image.height}, ${image.width}])` : ''} and output "${outputInfo.name}" are the ones the manifest names`,
    });
    const started = Date.now();
    const result = await model.runFeed(feed, { timeoutMs: timeout, signal: options.signal });
    passed.push({
      id: 'model-run',
      label: `the model ran on ${rows} ${image ? 'images' : 'rows'} drawn from the bundle's own specification in ${Date.now() - started} ms (limit ${timeout / 1000} s)`,
    });
    const reasons = checkOutputs(result.values, result.dims, rows, manifest);
    if (reasons.length === 0) passed.push(...outputChecks(rows, manifest));
    return { reasons, passed };
  } catch (error) {
    const e = error as DockError;
    if (e.code === 'CANCELLED') throw error;
    const raw = e.details?.raw;
    return failed({ code: e.code ?? 'MODEL_RUN', message: e.message, ...(typeof raw === 'string' ? { detail: raw } : {}) });
  } finally {
    await model.dispose().catch(() => undefined);
  }
}

/** The output rules a bundle passed (checkOutputs found nothing), in words. */
function outputChecks(rows: number, manifest: Manifest): PassedCheck[] {
  const { kind, classes, shape } = manifest.model.output;
  const checks: PassedCheck[] = [
    { id: 'output-shape', label: `one output row per input row (${rows}), ${shape[1]} value${shape[1] === 1 ? '' : 's'} each, as the manifest declares` },
    { id: 'finite', label: 'every output value is a finite number (no NaN, no infinity)' },
  ];
  if (kind === 'probabilities') checks.push({ id: 'probabilities', label: `the outputs are probabilities of ${classes!.length} classes: each in [0, 1], each row summing to 1` });
  else if (kind === 'labels') checks.push({ id: 'labels', label: `every predicted label is a class index 0..${classes!.length - 1}` });
  return checks;
}

/** Output rules: row count, width, finite values, probabilities in [0,1] summing to 1, labels in range. */
export function checkOutputs(values: Float32Array, dims: number[], rows: number, manifest: Manifest): CheckReason[] {
  const { kind, classes, shape } = manifest.model.output;
  const width = shape[1];
  const reasons: CheckReason[] = [];
  const gotWidth = dims.length === 1 ? 1 : dims.length === 2 ? dims[1] : NaN;
  if (dims[0] !== rows) reasons.push({ code: 'ROW_COUNT', message: `the model returned ${dims[0]} rows for ${rows} inputs` });
  if (gotWidth !== width) reasons.push({ code: 'OUTPUT_SHAPE', message: `the model returned shape [${dims.join(', ')}], the manifest promises [n, ${width}]` });
  if (reasons.length > 0) return reasons;
  let nonFinite = 0;
  for (const v of values) if (!Number.isFinite(v)) nonFinite++;
  if (nonFinite > 0) return [{ code: 'NON_FINITE_OUTPUT', message: `${nonFinite} output values are NaN or infinite` }];
  if (kind === 'probabilities') {
    let outOfRange = 0;
    let badSums = 0;
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let c = 0; c < width; c++) {
        const p = values[r * width + c];
        if (p < -1e-6 || p > 1 + 1e-6) outOfRange++;
        sum += p;
      }
      if (Math.abs(sum - 1) > 1e-3) badSums++;
    }
    if (outOfRange > 0) reasons.push({ code: 'PROBABILITY_RANGE', message: `${outOfRange} probabilities lie outside [0, 1]` });
    if (badSums > 0) reasons.push({ code: 'PROBABILITY_SUM', message: `${badSums} of ${rows} rows of probabilities do not sum to 1 (±0.001)` });
  } else if (kind === 'labels') {
    let bad = 0;
    for (const v of values) if (!Number.isInteger(v) || v < 0 || v >= classes!.length) bad++;
    if (bad > 0) reasons.push({ code: 'LABEL_RANGE', message: `${bad} predicted labels are not class indices 0..${classes!.length - 1}` });
  }
  return reasons;
}
