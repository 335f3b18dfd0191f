/**
 * The offline word-vector embedder of text learnwares (docs/text.md §2): the word-vector file
 * (layout, hostile-input checks), IEEE half floats, and texts → SIF-weighted mean word vectors.
 * Imports core and data only; no I/O (the caller fetches or reads the file's bytes).
 */
import { FormatError, InputError, throwIfCancelled } from '../core/errors.js';
import { PhaseReporter, type JobOptions } from '../core/progress.js';
import { TOKENIZER_ID, tokenize, type EmbedderRef, type TextDataset } from './text.js';

/** Where the app serves the word vectors, relative to its public root (built by scripts/build-embedder.ts). */
export const EMBEDDER_FILE = 'embedders/glove-100d-50k.bin';

export const WORD_VECTORS_FORMAT = 'learnware-dock/word-vectors';
export const WORD_VECTORS_FORMAT_VERSION = 1;
const MAGIC = [0x4c, 0x57, 0x45, 0x4d]; // 'LWEM'

/** Limits a word-vector file must respect (hostile input: every count is checked before allocating). */
export const WORD_VECTORS_LIMITS = {
  maxHeaderBytes: 65_536,
  maxDim: 4096,
  maxWords: 2_000_000,
  maxStringField: 1000,
} as const;

/** SIF smoothing `a` of the weights a / (a + p(w)) (docs/text.md §2: measured on the Brown corpus). */
export const SIF_A = 1e-3;

/** The JSON header of a word-vector file. */
export interface WordVectorsHeader {
  format: typeof WORD_VECTORS_FORMAT;
  formatVersion: typeof WORD_VECTORS_FORMAT_VERSION;
  id: string;
  version: string;
  dim: number;
  words: number;
  /** byte length of the '\n'-separated UTF-8 word list */
  wordsBytes: number;
  dtype: 'float16';
  tokenizer: string;
  source: string;
  licence: string;
}

export interface WordVectors {
  readonly id: string;
  readonly version: string;
  readonly dim: number;
  /** rows of the file (a duplicate word keeps its first row; later rows are unreachable) */
  readonly words: number;
  readonly tokenizer: string;
  readonly source: string;
  readonly licence: string;
  /** the words in file (frequency) order */
  readonly vocabulary: readonly string[];
  /** words × dim, row-major, in file order; read-only by convention */
  readonly values: Float32Array;
  /** a copy of the word's vector; undefined for an unknown word */
  vector(word: string): Float32Array | undefined;
  /** 0-based frequency rank (row), -1 for an unknown word */
  rank(word: string): number;
}

/** What a text spec records about the embedder its vectors came from. */
export function embedderRef(vectors: WordVectors): EmbedderRef {
  return { id: vectors.id, version: vectors.version, dim: vectors.dim, tokenizer: vectors.tokenizer };
}

// ---- half floats -------------------------------------------------------------------------------

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits of a number rounded to float32 first, then to half with round-to-nearest-even. */
export function float32ToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  // NaN stays NaN (top payload bits kept, quiet bit set); infinity stays infinity
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 112; // half's biased exponent
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half of the smallest subnormal
    const full = mant | 0x800000;
    const shift = 14 - e;
    let h = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (h & 1) === 1)) h++;
    return sign | h; // h = 0x400 is the smallest normal, encoded right
  }
  let h = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++;
  return sign | ((e << 10) + h); // a mantissa carry moves into the exponent (30 → 31 is infinity)
}

let halfTable: Float32Array | undefined;

/** Every half's float32 value (exact: float32 holds every half), NaN payloads kept. */
function halfValues(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  const bits = new Uint32Array(table.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const e = (h >>> 10) & 0x1f;
    let m = h & 0x3ff;
    if (e === 31) bits[h] = sign | 0x7f800000 | (m << 13);
    else if (e !== 0) bits[h] = sign | ((e + 112) << 23) | (m << 13);
    else if (m === 0) bits[h] = sign;
    else {
      // subnormal: normalise the mantissa into float32's implicit bit
      let shift = 0;
      while ((m & 0x400) === 0) {
        m <<= 1;
        shift++;
      }
      bits[h] = sign | ((113 - shift) << 23) | ((m & 0x3ff) << 13);
    }
  }
  return (halfTable = table);
}

/** The float32 value of half bits (0–65535). */
export function halfToFloat32(half: number): number {
  return halfValues()[half & 0xffff];
}

// ---- the file ------------------------------------------------------------------------------------

function bad(message: string, details: Record<string, unknown> = {}): FormatError {
  return new FormatError('BAD_WORD_VECTORS', `word-vector file: ${message}`, details);
}

function checkString(header: Record<string, unknown>, field: string): string {
  const v = header[field];
  if (typeof v !== 'string' || v.length === 0 || v.length > WORD_VECTORS_LIMITS.maxStringField) throw bad(`header field "${field}" must be a non-empty string`, { field });
  return v;
}

function checkCount(header: Record<string, unknown>, field: string, min: number, max: number): number {
  const v = header[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw bad(`header field "${field}" must be an integer from ${min} to ${max}, found ${JSON.stringify(v)}`, { field, limit: max });
  return v;
}

function vectorsOffset(headerBytes: number, wordsBytes: number): number {
  const end = 8 + headerBytes + wordsBytes;
  return end + (end % 2); // padded so the float16 values start on an even offset
}

/** Parses a word-vector file (layout in docs/text.md §2); every count is checked against the byte length. */
export function parseWordVectors(bytes: Uint8Array): WordVectors {
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new FormatError('BAD_MAGIC', 'not a word-vector file (it does not start with "LWEM")', { bytes: bytes.length });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerBytes = view.getUint32(4, true);
  if (headerBytes > WORD_VECTORS_LIMITS.maxHeaderBytes) {
    throw bad(`the header claims ${headerBytes} bytes; the limit is ${WORD_VECTORS_LIMITS.maxHeaderBytes}`, { field: 'header', limit: WORD_VECTORS_LIMITS.maxHeaderBytes });
  }
  if (8 + headerBytes > bytes.length) throw bad(`truncated: the header needs ${headerBytes} bytes, ${bytes.length - 8} are left`, { field: 'header' });
  let header: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerBytes)));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    header = parsed as Record<string, unknown>;
  } catch {
    throw bad('the header is not a UTF-8 JSON object', { field: 'header' });
  }
  if (header.format !== WORD_VECTORS_FORMAT) throw bad(`header field "format" must be "${WORD_VECTORS_FORMAT}"`, { field: 'format' });
  if (header.formatVersion !== WORD_VECTORS_FORMAT_VERSION) {
    throw bad(`format version ${JSON.stringify(header.formatVersion)} is not supported (this dock reads version ${WORD_VECTORS_FORMAT_VERSION})`, { field: 'formatVersion' });
  }
  if (header.dtype !== 'float16') throw bad(`dtype ${JSON.stringify(header.dtype)} is not supported (only "float16")`, { field: 'dtype' });
  const dim = checkCount(header, 'dim', 1, WORD_VECTORS_LIMITS.maxDim);
  const words = checkCount(header, 'words', 1, WORD_VECTORS_LIMITS.maxWords);
  const wordsBytes = checkCount(header, 'wordsBytes', 0, bytes.length);
  const [id, version, tokenizer] = ['id', 'version', 'tokenizer'].map((f) => checkString(header, f));
  const [source, licence] = ['source', 'licence'].map((f) => (typeof header[f] === 'string' ? (header[f] as string) : ''));

  const start = vectorsOffset(headerBytes, wordsBytes);
  const expected = start + words * dim * 2;
  if (bytes.length !== expected) {
    throw bad(`${bytes.length < expected ? 'truncated' : 'trailing bytes'}: ${words} words × ${dim} float16 values need ${expected} bytes, the file has ${bytes.length}`, {
      field: 'words',
      expected,
      found: bytes.length,
    });
  }
  let list: string[];
  try {
    list = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8 + headerBytes, 8 + headerBytes + wordsBytes)).split('\n');
  } catch {
    throw bad('the word list is not UTF-8', { field: 'wordList' });
  }
  if (list.length !== words) throw bad(`the header says ${words} words, the word list has ${list.length}`, { field: 'words', expected: words, found: list.length });

  const ranks = new Map<string, number>();
  for (let i = 0; i < words; i++) if (!ranks.has(list[i])) ranks.set(list[i], i);
  const table = halfValues();
  const values = new Float32Array(words * dim);
  for (let i = 0, p = start; i < values.length; i++, p += 2) values[i] = table[bytes[p] | (bytes[p + 1] << 8)];

  return {
    id,
    version,
    dim,
    words,
    tokenizer,
    source,
    licence,
    vocabulary: list,
    values,
    vector: (word) => {
      const r = ranks.get(word);
      return r === undefined ? undefined : values.slice(r * dim, (r + 1) * dim);
    },
    rank: (word) => ranks.get(word) ?? -1,
  };
}

/** Writes a word-vector file: values (words × dim) are rounded to float16. Deterministic bytes. */
export function encodeWordVectors(
  meta: Omit<WordVectorsHeader, 'format' | 'formatVersion' | 'words' | 'wordsBytes' | 'dtype'>,
  words: readonly string[],
  values: ArrayLike<number>,
): Uint8Array {
  if (values.length !== words.length * meta.dim) throw new InputError('BAD_SHAPE', `${words.length} words × ${meta.dim} need ${words.length * meta.dim} values, got ${values.length}`);
  if (words.some((w) => w.includes('\n'))) throw new InputError('BAD_WORD_VECTORS', 'a word may not hold a line break');
  const list = new TextEncoder().encode(words.join('\n'));
  const header: WordVectorsHeader = {
    format: WORD_VECTORS_FORMAT,
    formatVersion: WORD_VECTORS_FORMAT_VERSION,
    id: meta.id,
    version: meta.version,
    dim: meta.dim,
    words: words.length,
    wordsBytes: list.length,
    dtype: 'float16',
    tokenizer: meta.tokenizer,
    source: meta.source,
    licence: meta.licence,
  };
  const head = new TextEncoder().encode(JSON.stringify(header));
  const start = vectorsOffset(head.length, list.length);
  const out = new Uint8Array(start + values.length * 2);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, head.length, true);
  out.set(head, 8);
  out.set(list, 8 + head.length);
  for (let i = 0, p = start; i < values.length; i++, p += 2) {
    const h = float32ToHalf(values[i]);
    out[p] = h & 0xff;
    out[p + 1] = h >>> 8;
  }
  return out;
}

// ---- embedding -----------------------------------------------------------------------------------

export interface EmbeddedTexts {
  /** rows × dim, row-major */
  values: Float64Array;
  dim: number;
  /** per text: tokens found in the vocabulary */
  knownTokens: Int32Array;
  /** per text: all tokens */
  totalTokens: Int32Array;
  /** texts without a known token (their row is the zero vector) */
  emptyRows: number;
}

const sifCache = new WeakMap<WordVectors, Float64Array>();

/** Per rank: a / (a + p(rank)), p the Zipf estimate 1/(rank+1) normalised over the vocabulary. */
export function sifWeights(vectors: WordVectors, a = SIF_A): Float64Array {
  const cached = a === SIF_A ? sifCache.get(vectors) : undefined;
  if (cached) return cached;
  let harmonic = 0;
  for (let r = 0; r < vectors.words; r++) harmonic += 1 / (r + 1);
  const weights = new Float64Array(vectors.words);
  for (let r = 0; r < vectors.words; r++) weights[r] = a / (a + 1 / ((r + 1) * harmonic));
  if (a === SIF_A) sifCache.set(vectors, weights);
  return weights;
}

/**
 * Each text → the SIF-weighted mean of its known tokens' vectors (tokens of data/text.ts, summed
 * in text order in Float64); a text without a known token → zeros, counted in emptyRows.
 */
export function embedTexts(vectors: WordVectors, texts: readonly string[], options: JobOptions = {}): EmbeddedTexts {
  if (vectors.tokenizer !== TOKENIZER_ID) {
    throw new InputError('TOKENIZER_MISMATCH', `the word vectors "${vectors.id}" were made for tokenizer "${vectors.tokenizer}"; this dock tokenizes with "${TOKENIZER_ID}"`, {
      expected: TOKENIZER_ID,
      found: vectors.tokenizer,
    });
  }
  const { dim, values: table } = vectors;
  const weights = sifWeights(vectors);
  const rows = texts.length;
  const values = new Float64Array(rows * dim);
  const knownTokens = new Int32Array(rows);
  const totalTokens = new Int32Array(rows);
  let emptyRows = 0;
  const reporter = new PhaseReporter(options.onProgress, 'embed', 'embedding', rows, 'rows');
  for (let i = 0; i < rows; i++) {
    if (i % 256 === 0) {
      throwIfCancelled(options.signal);
      if (i > 0) reporter.update(i);
    }
    const tokens = tokenize(texts[i]);
    totalTokens[i] = tokens.length;
    const row = values.subarray(i * dim, (i + 1) * dim);
    let weightSum = 0;
    let known = 0;
    for (const token of tokens) {
      const r = vectors.rank(token);
      if (r < 0) continue;
      known++;
      const w = weights[r];
      weightSum += w;
      const base = r * dim;
      for (let j = 0; j < dim; j++) row[j] += w * table[base + j];
    }
    knownTokens[i] = known;
    if (known === 0) emptyRows++;
    else for (let j = 0; j < dim; j++) row[j] /= weightSum;
  }
  reporter.finish();
  return { values, dim, knownTokens, totalTokens, emptyRows };
}

/** The dataset with its texts' embeddings (what text specs and the reuse methods work on). */
export function embedTextDataset(vectors: WordVectors, data: TextDataset, options: JobOptions = {}): TextDataset {
  const { values, dim, emptyRows } = embedTexts(vectors, data.texts, options);
  return { ...data, embedding: { values, dim, embedder: embedderRef(vectors), emptyRows } };
}
