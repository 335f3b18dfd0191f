/**
 * The text model contract (docs/text.md §4): vocab.txt and token ids, naive Bayes and its ONNX
 * export run in onnxruntime-web, and a model made in PyTorch (tests/fixtures/torch-text, made by
 * scripts/fixtures/make-torch-text-model.py; torch is not needed here).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DockError } from '../../src/engine/core/errors.js';
import { encodeTokenIds, parseVocab, vocabText } from '../../src/engine/data/token-ids.js';
import { tokenize } from '../../src/engine/data/text.js';
import { predictTokenNaiveBayes, trainTokenNaiveBayes } from '../../src/engine/model/naive-bayes.js';
import { exportTokenNaiveBayes } from '../../src/engine/model/onnx-export.js';
import { assertModelFootprint, modelFootprint } from '../../src/engine/model/onnx-inspect.js';
import { OnnxModel } from '../../src/engine/model/onnx-runner.js';

const FIXTURE = new URL('../fixtures/torch-text/', import.meta.url);

function error(f: () => unknown): DockError {
  try {
    f();
  } catch (e) {
    if (e instanceof DockError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('vocab.txt', () => {
  it('gives line i (0-based) id i + 2, unknown tokens 1; a final line break and CRLF are fine', () => {
    for (const text of ['apple\nbanana\ncafé', 'apple\nbanana\ncafé\n', 'apple\r\nbanana\r\ncafé\r\n', '\uFEFFapple\nbanana\ncafé']) {
      const vocab = parseVocab(text);
      expect(vocab.size).toBe(3);
      expect(vocab.tokens).toEqual(['apple', 'banana', 'café']);
      expect([vocab.id('apple'), vocab.id('banana'), vocab.id('café'), vocab.id('cherry')]).toEqual([2, 3, 4, 1]);
    }
  });

  it('looks tokens up as own entries only', () => {
    const vocab = parseVocab('constructor\nproto\n');
    expect(vocab.id('constructor')).toBe(2);
    expect(vocab.id('__proto__')).toBe(1);
    expect(vocab.id('toString')).toBe(1);
    expect(vocab.id('hasOwnProperty')).toBe(1);
  });

  it('refuses empty lines, non-tokens and duplicates, naming the line', () => {
    const cases: [string, string, number][] = [
      ['a\n\nb', 'BAD_VOCAB', 2],
      ['a\nb\n\n', 'BAD_VOCAB', 3],
      ['a\nHello', 'BAD_VOCAB', 2],
      ['a\nb\ntwo words', 'BAD_VOCAB', 3],
      ['a\nsnake_case', 'BAD_VOCAB', 2],
      ['a\n...', 'BAD_VOCAB', 2],
      [' a', 'BAD_VOCAB', 1],
      ['a\r\nb\rc', 'BAD_VOCAB', 2],
      ['a\nb\na', 'DUPLICATE_TOKEN', 3],
      ['x\n' + 'y'.repeat(201), 'TOO_LARGE', 2],
    ];
    for (const [text, code, line] of cases) {
      const e = error(() => parseVocab(text));
      expect([e.code, e.details.line], text).toEqual([code, line]);
      expect(e.message).toContain(`line ${line}`);
    }
    expect(error(() => parseVocab('')).code).toBe('BAD_VOCAB');
    expect(error(() => parseVocab('\n')).code).toBe('BAD_VOCAB');
    expect(error(() => parseVocab('a\nb\nc\nd', { maxLines: 3 })).code).toBe('TOO_LARGE');
    expect(parseVocab('a\nb\nc\n', { maxLines: 3 }).size).toBe(3);
  });

  it('reads a million-line vocabulary and refuses one line more', () => {
    const text = Array.from({ length: 1_000_000 }, (_, i) => `t${i}\n`).join('');
    const vocab = parseVocab(text);
    expect(vocab.size).toBe(1_000_000);
    expect(vocab.id('t999999')).toBe(1_000_001);
    const tooMany = error(() => parseVocab(text + 'extra\n'));
    expect([tooMany.code, tooMany.details.limit]).toEqual(['TOO_LARGE', 1_000_000]);
  });

  it('vocabText round-trips and refuses what parseVocab refuses', () => {
    const tokens = ['naïve', '42', 'ß', '日本語'];
    expect(parseVocab(vocabText(tokens)).tokens).toEqual(tokens);
    expect(error(() => vocabText(['a', 'A'])).code).toBe('BAD_VOCAB');
    expect(error(() => vocabText(['a', 'a'])).code).toBe('DUPLICATE_TOKEN');
  });
});

describe('token ids', () => {
  it('encodes n × L row-major, truncating and right-padding with 0', () => {
    const vocab = parseVocab('the\ncat\nsat\n');
    const ids = encodeTokenIds(['The cat SAT on the mat', 'cat', ''], vocab, 4);
    expect([...ids].map(Number)).toEqual([2, 3, 4, 1, 3, 0, 0, 0, 0, 0, 0, 0]);
    expect(error(() => encodeTokenIds(['a'], vocab, 0)).code).toBe('BAD_SHAPE');
    expect(error(() => encodeTokenIds(['a', 'b'], vocab, 2 ** 27)).code).toBe('TOO_LARGE');
  });
});

/** A small three-class corpus with words the vocabulary lacks. */
function corpus(): { texts: string[]; labels: Int32Array; tokens: string[] } {
  const words = [
    ['goal', 'match', 'team', 'score'],
    ['oven', 'flour', 'café', 'sauce'],
    ['rain', 'storm', 'snow', 'wind'],
  ];
  const shared = ['the', 'a', 'today', 'very'];
  const texts: string[] = [];
  const labels: number[] = [];
  let seed = 1;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 90; i++) {
    const c = i % 3;
    const n = 3 + Math.floor(next() * 12);
    const text = Array.from({ length: n }, () => {
      const u = next();
      const pool = u < 0.5 ? words[c] : u < 0.8 ? shared : u < 0.9 ? ['zebra', 'piano'] : words[Math.floor(next() * 3)];
      return pool[Math.floor(next() * pool.length)];
    });
    texts.push(text.join(' '));
    labels.push(c);
  }
  return { texts, labels: Int32Array.from(labels), tokens: [...words.flat(), ...shared] };
}

describe('token naive Bayes', () => {
  it('matches multinomial naive Bayes by hand (alpha on raw counts; padding and unknown ids not counted)', () => {
    // vocabulary of 2 tokens (ids 2, 3); text 0: [2, 2, 1], class 0; text 1: [3, 0, 0], class 1
    const nb = trainTokenNaiveBayes({
      ids: [
        [2, 2, 1],
        [3, 0, 0],
      ],
      vocabSize: 2,
      labels: Int32Array.from([0, 1]),
      classes: 2,
      alpha: 0.1,
    });
    expect([...nb.logPriors]).toEqual([Math.log(0.5), Math.log(0.5)]);
    const table = [...nb.logLikelihoods];
    expect(table.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(table[2 * 2 + 0]).toBeCloseTo(Math.log(2.1 / 2.2), 12);
    expect(table[3 * 2 + 0]).toBeCloseTo(Math.log(0.1 / 2.2), 12);
    expect(table[2 * 2 + 1]).toBeCloseTo(Math.log(0.1 / 1.2), 12);
    expect(table[3 * 2 + 1]).toBeCloseTo(Math.log(1.1 / 1.2), 12);
  });

  it('takes lists or the id matrix alike, and refuses bad labels and ids', () => {
    const { texts, labels, tokens } = corpus();
    const vocab = parseVocab(vocabText(tokens));
    const L = 8;
    const matrix = encodeTokenIds(texts, vocab, L);
    const lists = texts.map((_, r) => Array.from(matrix.subarray(r * L, (r + 1) * L), Number));
    const a = trainTokenNaiveBayes({ ids: matrix, rows: texts.length, maxLength: L, vocabSize: vocab.size, labels, classes: 3 });
    const b = trainTokenNaiveBayes({ ids: lists, vocabSize: vocab.size, labels, classes: 3 });
    expect(a.logLikelihoods).toEqual(b.logLikelihoods);
    expect(a.logPriors).toEqual(b.logPriors);
    expect(error(() => trainTokenNaiveBayes({ ids: [[2]], vocabSize: 2, labels: Int32Array.from([5]), classes: 2 })).code).toBe('BAD_LABEL');
    expect(error(() => trainTokenNaiveBayes({ ids: [[9]], vocabSize: 2, labels: Int32Array.from([0]), classes: 2 })).code).toBe('BAD_SHAPE');
    expect(error(() => trainTokenNaiveBayes({ ids: [[2]], vocabSize: 2, labels: Int32Array.from([0]), classes: 2 })).code).toBe('TOO_FEW_LABELS');
  });

  it('exports an ONNX model that onnxruntime-web runs like predictTokenNaiveBayes (1e-5), which the static check accepts', async () => {
    const { texts, labels, tokens } = corpus();
    const vocab = parseVocab(vocabText(tokens));
    const L = 16;
    const ids = encodeTokenIds(texts, vocab, L);
    const nb = trainTokenNaiveBayes({ ids, rows: texts.length, maxLength: L, vocabSize: vocab.size, labels, classes: 3 });
    const expected = predictTokenNaiveBayes(nb, ids, texts.length, L);
    const accuracy = texts.filter((_, r) => {
      const row = expected.subarray(r * 3, r * 3 + 3);
      return row.indexOf(Math.max(...row)) === labels[r];
    }).length;
    expect(accuracy / texts.length).toBeGreaterThan(0.9);

    const bytes = exportTokenNaiveBayes(nb, { maxLength: L, classes: 3 });
    expect(modelFootprint(bytes).largestConstantBytes).toBe(0);
    expect(() => assertModelFootprint(bytes, 2 ** 30)).not.toThrow();
    const model = await OnnxModel.load(bytes);
    try {
      expect(model.io.inputNames).toEqual(['token_ids']);
      expect(model.io.inputShape).toEqual(['N', L]);
      expect(model.io.outputShape).toEqual(['N', 3]);
      // every text at once, one text, and texts that are all padding or all unknown
      const extra = encodeTokenIds(['', 'zebra piano zebra', 'goal '.repeat(40)], vocab, L);
      for (const [feed, rows] of [
        [ids, texts.length],
        [ids.slice(0, L), 1],
        [extra, 3],
      ] as const) {
        const out = await model.runFeed({ dtype: 'int64', data: feed, dims: [rows, L] });
        expect(out.dims).toEqual([rows, 3]);
        const want = predictTokenNaiveBayes(nb, feed, rows, L);
        for (let i = 0; i < want.length; i++) expect(Math.abs(out.values[i] - want[i])).toBeLessThan(1e-5);
      }
    } finally {
      await model.dispose();
    }
  });
});

describe('a text model made in PyTorch (tests/fixtures/torch-text)', () => {
  interface Samples {
    torch: string;
    maxLength: number;
    inputName: string;
    classes: string[];
    texts: string[];
    tokens: string[][];
    tokenIds: number[][];
    probabilities: number[][];
  }
  const samples = JSON.parse(readFileSync(new URL('samples.json', FIXTURE), 'utf8')) as Samples;
  const vocab = parseVocab(readFileSync(new URL('vocab.txt', FIXTURE), 'utf8'));

  it('tokenises the fixture texts as Python did, accents included', () => {
    expect(samples.texts.some((t) => /[\u00C0-\u017F]/.test(t))).toBe(true);
    expect(samples.texts.some((t) => t.normalize('NFC') !== t)).toBe(true);
    expect(samples.texts.map(tokenize)).toEqual(samples.tokens);
    const ids = encodeTokenIds(samples.texts, vocab, samples.maxLength);
    expect([...ids].map(Number)).toEqual(samples.tokenIds.flat());
  });

  it("onnxruntime-web's probabilities equal torch's (1e-5)", async () => {
    const model = await OnnxModel.load(readFileSync(new URL('model.onnx', FIXTURE)));
    try {
      expect(model.io.inputNames).toEqual([samples.inputName]);
      const n = samples.texts.length;
      const ids = encodeTokenIds(samples.texts, vocab, samples.maxLength);
      const out = await model.runFeed({ dtype: 'int64', data: ids, dims: [n, samples.maxLength] });
      expect(out.dims).toEqual([n, samples.classes.length]);
      const want = samples.probabilities.flat();
      for (let i = 0; i < want.length; i++) expect(Math.abs(out.values[i] - want[i])).toBeLessThan(1e-5);
    } finally {
      await model.dispose();
    }
  });
});
