/**
 * Texts as data (docs/text.md §1): the text Dataset kind, the one tokenizer every part uses (the
 * embedder, the token ids a text model is fed, the naive Bayes the demo trains), and the checks a
 * hostile text file gets (binary content, wrong encoding, size). Imports core only.
 */
import { InputError } from '../core/errors.js';
import type { Dataset } from './dataset.js';

export const TEXT_DATASET = 'text';

/** The user's or a developer's texts, in input order; labels when the input has them. */
export interface TextDataset extends Dataset {
  readonly kind: typeof TEXT_DATASET;
  rows: number;
  texts: string[];
  /** where each text came from (a path inside a folder or zip, or "line 3"), for messages and predictions */
  sources: string[];
  /** a label per text (sub-folder name, JSON Lines `label`, a label column), null = unlabelled; absent = no labels */
  labels?: (string | null)[];
  /** the texts' embeddings, once computed (data/embedder.ts embedTexts): specs and the job selector work on these */
  embedding?: TextEmbedding;
  /** the texts' languages, once identified (data/language.ts corpusLanguages) */
  languages?: string[];
}

/** Which embedder made embeddings: specs of different embedders are never compared (docs/text.md §2). */
export interface EmbedderRef {
  id: string;
  version: string;
  dim: number;
  tokenizer: string;
}

export interface TextEmbedding {
  /** row-major rows × dim */
  values: Float64Array;
  dim: number;
  embedder: EmbedderRef;
  /** texts with no word the embedder knows (their embedding is the zero vector) */
  emptyRows: number;
}

/** The embedding dimensions' names: an island of text specs is keyed by them, so by the embedder. */
export function embeddingDimensions(embedder: EmbedderRef): string[] {
  return Array.from({ length: embedder.dim }, (_, i) => `${embedder.id}@${embedder.version}:${i}`);
}

export function sameEmbedder(a: EmbedderRef, b: EmbedderRef): boolean {
  return a.id === b.id && a.version === b.version && a.dim === b.dim && a.tokenizer === b.tokenizer;
}

export function textDataset(texts: string[], sources?: string[], labels?: (string | null)[]): TextDataset {
  return { kind: TEXT_DATASET, rows: texts.length, texts, sources: sources ?? texts.map((_, i) => `text ${i + 1}`), ...(labels ? { labels } : {}) };
}

export function isTextDataset(data: Dataset): data is TextDataset {
  return data.kind === TEXT_DATASET;
}

/** The tokenizer's version, recorded in text specs and text model manifests. */
export const TOKENIZER_ID = 'lower-alnum-1';

const TOKEN = /[\p{L}\p{N}]+/gu;

/**
 * The tokens of a text: the text lowercased (String.prototype.toLowerCase, locale-free), then every
 * maximal run of Unicode letters and digits (\p{L}, \p{N}); everything else separates tokens.
 */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

/** Limits for the texts of one input (a browser tab and the CLI may choose differently). */
export const TEXT_LIMITS = {
  /** texts in one input */
  maxTexts: 200_000,
  /** characters in one text (a longer one is an error, not silently cut) */
  maxCharsPerText: 1_000_000,
  /** characters over all texts */
  maxTotalChars: 200_000_000,
} as const;

export type TextLimits = { [K in keyof typeof TEXT_LIMITS]?: number };

/**
 * Decodes a text file's bytes as UTF-8 (a BOM is dropped), refusing binary content (NUL bytes) and
 * bytes that are not UTF-8, with the file's name in the message.
 */
export function decodeText(bytes: Uint8Array, fileName: string): string {
  const probe = bytes.subarray(0, 65536);
  if (probe.includes(0)) throw new InputError('NOT_TEXT', `${fileName} is not a text file (it holds binary data)`, { file: fileName });
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new InputError('NOT_UTF8', `${fileName} is not UTF-8 text; save it as UTF-8 and try again`, { file: fileName });
  }
}

/** Checks the limits; TOO_LARGE / TOO_MANY_ROWS / NO_ROWS with what was found. */
export function checkTexts(data: TextDataset, limits: TextLimits = {}): void {
  const max = { ...TEXT_LIMITS, ...limits };
  if (data.rows === 0) throw new InputError('NO_ROWS', 'there are no texts in the input');
  if (data.rows > max.maxTexts) throw new InputError('TOO_MANY_ROWS', `the input has ${data.rows} texts; the limit is ${max.maxTexts}`, { rows: data.rows, limit: max.maxTexts });
  let total = 0;
  for (const [i, text] of data.texts.entries()) {
    if (text.length > max.maxCharsPerText) {
      throw new InputError('TOO_LARGE', `${data.sources[i]} has ${text.length} characters; one text may have at most ${max.maxCharsPerText}`, {
        source: data.sources[i],
        limit: max.maxCharsPerText,
      });
    }
    total += text.length;
  }
  if (total > max.maxTotalChars)
    throw new InputError('TOO_LARGE', `the texts have ${total} characters in all; the limit is ${max.maxTotalChars}`, { chars: total, limit: max.maxTotalChars });
  if (data.texts.every((t) => t.trim() === '')) throw new InputError('NO_ROWS', 'every text in the input is empty');
}
