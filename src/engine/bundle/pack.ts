/**
 * Writes a bundle: learnware.json + model.onnx + rkme.json (+ vocab.txt for text models) + README.md (model card), with the
 * SHA-256 and size of every file in the manifest. Deterministic for equal inputs.
 */
import { InputError } from '../core/errors.js';
import { TOKENIZER_ID } from '../data/text.js';
import { sha256Hex } from '../core/hash.js';
import { specType } from '../spec/registry.js';
import type { ImageModelInput, StatSpec } from '../spec/spec-type.js';
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, checkManifest, MANIFEST_FILE, type Manifest, type OutputKind } from './manifest.js';
import type { SemanticSpec } from './semantic.js';
import { writeZip } from '../core/zip.js';

export interface PackInput {
  id: string;
  name: string;
  semantic: SemanticSpec;
  model: Uint8Array;
  input: { name: string; features: string[] };
  /** a text model's vocabulary (vocab.txt bytes) and padded length L (docs/text.md §4) */
  text?: { vocab: Uint8Array; vocabSize: number; maxLength: number };
  /** an image model's input size (docs/image.md §4): float32 pixels 0–255 [n, C, H, W] */
  image?: { channels: 1 | 3; height: number; width: number };
  output: { name: string; kind: OutputKind; classes: string[] | null; width: number };
  spec: StatSpec;
  /** model card (markdown); generated from the manifest when omitted */
  readme?: string;
  createdAt?: Date;
}

export async function packBundle(input: PackInput): Promise<{ bundle: Uint8Array; manifest: Manifest }> {
  const type = specType(input.spec.type);
  const specJson = new TextEncoder().encode(type.toJson(input.spec));
  const files: [string, Uint8Array][] = [['model.onnx', input.model], ['rkme.json', specJson], ...(input.text ? [['vocab.txt', input.text.vocab] as [string, Uint8Array]] : [])];
  const modelInput: Manifest['model']['input'] = input.text
    ? {
        name: input.input.name,
        features: [],
        dtype: 'int64',
        shape: [null, input.text.maxLength],
        text: { vocab: 'vocab.txt', vocabSize: input.text.vocabSize, maxLength: input.text.maxLength, tokenizer: TOKENIZER_ID },
      }
    : input.image
      ? { name: input.input.name, features: [], dtype: 'float32', shape: [null, input.image.channels, input.image.height, input.image.width], image: imageInput(input.image) }
      : { name: input.input.name, features: input.input.features, dtype: 'float32', shape: [null, input.input.features.length] };
  const manifest: Manifest = {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    id: input.id,
    name: input.name,
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    semantic: input.semantic,
    model: {
      file: 'model.onnx',
      format: 'onnx',
      input: modelInput,
      output: { name: input.output.name, kind: input.output.kind, classes: input.output.classes, shape: [null, input.output.width] },
    },
    specs: [{ file: 'rkme.json', type: input.spec.type }],
    files: {},
  };
  const readme = new TextEncoder().encode(input.readme ?? modelCard(manifest, type.describe(input.spec)));
  files.push(['README.md', readme]);
  for (const [name, bytes] of files) manifest.files[name] = { sha256: await sha256Hex(bytes), size: bytes.length };
  const problems = checkManifest(manifest);
  if (problems.length > 0) {
    throw new InputError(problems.find((q) => q.code)?.code ?? 'BAD_MANIFEST', `cannot pack: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, { problems });
  }
  const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest, null, 2) + '\n');
  return { bundle: writeZip([[MANIFEST_FILE, manifestBytes], ...files]), manifest };
}

function imageInput({ channels, height, width }: { channels: 1 | 3; height: number; width: number }): ImageModelInput {
  return { channels, height, width, layout: 'NCHW', range: [0, 255] };
}

/** The model card's line on the model's input. */
function inputLine(input: Manifest['model']['input']): string {
  if (input.text) return `- Input: token ids (int64) of texts, padded to ${input.text.maxLength}, from a vocabulary of ${input.text.vocabSize} tokens (${input.text.vocab})`;
  if (input.image)
    return `- Input: ${input.image.channels === 1 ? 'grey' : 'RGB'} images of ${input.image.width}×${input.image.height} pixels, float32 [n, ${input.image.channels}, ${input.image.height}, ${input.image.width}] (NCHW), values 0–255`;
  return `- Input: ${input.features.length} float32 features: ${input.features.join(', ')}`;
}

function modelCard(manifest: Manifest, specSummary: string): string {
  const s = manifest.semantic;
  const out = manifest.model.output;
  return [
    `# ${manifest.name}`,
    '',
    s.Description.Values,
    '',
    `- Task: ${s.Task.Values[0]} on ${s.Data.Values[0].toLowerCase()} data; scenario: ${s.Scenario.Values.join(', ')}`,
    `- License: ${s.License.Values[0]}; trained with ${s.Library.Values[0]}; model format ONNX`,
    inputLine(manifest.model.input),
    `- Output: ${out.kind}${out.classes ? ` over ${out.classes.join(', ')}` : ` (${out.shape[1]} value${out.shape[1] > 1 ? 's' : ''})`}`,
    `- Statistical specification (${manifest.specs[0].type}): ${specSummary}`,
    '',
  ].join('\n');
}
