/**
 * Text learnwares through the engine, on real passages of the Brown corpus and the shipped
 * embedder: reading texts in every shape (docs/text.md §1), the text RKME and its stat.json
 * (§5), packing and checking a naive Bayes text model (§4), searching by language and reusing
 * with every method that takes no labels.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkBundle,
  corpusLanguages,
  embeddingDimensions,
  embedTextDataset,
  encodeTokenIds,
  exportTokenNaiveBayes,
  loadLearnware,
  loaderFor,
  packLearnware,
  parseCsv,
  parseStatSpec,
  parseVocab,
  readZip,
  reuseLearnwares,
  serializeStatSpec,
  sha256Hex,
  specType,
  textDataset,
  textsFromFiles,
  textsFromJsonLines,
  textsFromTable,
  textsFromZip,
  textSpecType,
  tokenize,
  trainTokenNaiveBayes,
  TsBackend,
  vocabText,
  writeZip,
  parseWordVectors,
  type Learnware,
  type RkmeTextSpec,
  type SemanticSpec,
  type TextDataset,
  type WordVectors,
  type ParsedTexts,
} from '../../src/engine/index.js';
import { loadBrownPassages, splitPassages, type Passage } from '../../scripts/demo-text-sources.js';

const EMBEDDER = fileURLToPath(new URL('../../public/embedders/glove-100d-50k.bin', import.meta.url));
const enc = (s: string) => new TextEncoder().encode(s);

let vectors: WordVectors;
let train: Passage[];
let test: Passage[];

beforeAll(() => {
  vectors = parseWordVectors(readFileSync(EMBEDDER));
  ({ train, test } = splitPassages(loadBrownPassages()));
});

const of = (passages: Passage[], superclass: string, n: number) => passages.filter((p) => p.superclass === superclass).slice(0, n);

function embedded(passages: Passage[], languages = ['en']): TextDataset {
  const data = textDataset(
    passages.map((p) => p.text),
    passages.map((p) => p.id),
    passages.map((p) => p.genre),
  );
  return { ...embedTextDataset(vectors, data), languages };
}

function semantic(name: string, classes: string[]): SemanticSpec {
  return {
    Data: { Type: 'Class', Values: ['Text'] },
    Task: { Type: 'Class', Values: ['Classification'] },
    Library: { Type: 'Class', Values: ['Others'] },
    Scenario: { Type: 'Tag', Values: ['Others'] },
    License: { Type: 'Class', Values: ['MIT'] },
    Name: { Type: 'String', Values: name },
    Description: { Type: 'String', Values: `Genre of a passage of the Brown corpus (${classes.join(', ')}).` },
    Output: { Dimension: classes.length, Description: Object.fromEntries(classes.map((c, i) => [String(i), c])) },
  };
}

/** A naive Bayes learnware of the passages' genres: vocabulary of their frequent tokens, L = 128. */
async function textLearnware(id: string, passages: Passage[], languages = ['en']) {
  const counts = new Map<string, number>();
  for (const p of passages) for (const t of tokenize(p.text)) counts.set(t, (counts.get(t) ?? 0) + 1);
  const tokens = [...counts]
    .filter(([, c]) => c >= 2)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 3000)
    .map(([t]) => t);
  const vocab = parseVocab(vocabText(tokens));
  const classes = [...new Set(passages.map((p) => p.genre))].sort();
  const ids = encodeTokenIds(
    passages.map((p) => p.text),
    vocab,
    128,
  );
  const nb = trainTokenNaiveBayes({ ids, maxLength: 128, vocabSize: vocab.size, labels: Int32Array.from(passages, (p) => classes.indexOf(p.genre)), classes: classes.length });
  const model = exportTokenNaiveBayes(nb, { maxLength: 128, classes: classes.length });
  return packLearnware({
    backend: new TsBackend(),
    id,
    data: embedded(passages, languages),
    model,
    semantic: semantic(id, classes),
    output: { kind: 'probabilities', classes },
    text: { vocab: enc(vocabText(tokens)) },
    specOptions: { K: 30 },
  });
}

describe('reading texts', () => {
  it('a folder of .txt files: sorted paths, sub-folders are labels, a wrapping folder is not', () => {
    const files = [
      { path: 'corpus/news/b.txt', bytes: enc('The jury said.') },
      { path: 'corpus/fiction/a.txt', bytes: enc('She ran.') },
      { path: 'corpus/news/a.txt', bytes: enc('Results were announced.') },
      { path: 'corpus/notes.md', bytes: enc('ignored') },
    ];
    const data = textsFromFiles(files);
    expect(data.sources).toEqual(['corpus/fiction/a.txt', 'corpus/news/a.txt', 'corpus/news/b.txt']);
    expect(data.labels).toEqual(['fiction', 'news', 'news']);
    expect(data.texts[0]).toBe('She ran.');
    // flat folder: no labels
    expect(textsFromFiles([{ path: 'a.txt', bytes: enc('x y') }]).labels).toBeUndefined();
  });

  it('a zip made by an archiver (directories, __MACOSX, spaces in names) reads like the folder, through the loader registry', async () => {
    const zip = zipSync({
      'my texts/': new Uint8Array(),
      'my texts/news/first story.txt': enc('The jury said.'),
      'my texts/fiction/été.txt': enc('Elle a couru.'),
      '__MACOSX/my texts/._first story.txt': new Uint8Array([0, 5, 22]),
      'my texts/.DS_Store': new Uint8Array([0, 0, 1]),
    });
    const loader = loaderFor(zip, 'texts.zip');
    expect(loader.kind).toBe('text');
    const { texts } = (await loader.load(zip, 'texts.zip', {})) as ParsedTexts;
    expect(texts.sources).toEqual(['my texts/fiction/été.txt', 'my texts/news/first story.txt']);
    expect(texts.labels).toEqual(['fiction', 'news']);
    // traversal is still refused in a user's zip
    const evil = zipSync({ '../evil.txt': enc('x') });
    expect(() => textsFromZip(evil, 'evil.zip')).toThrow(/evil\.zip entry "\.\.\/evil\.txt" is not a safe relative path/);
  });

  it('JSON Lines, and a table text column, with their labels; bad lines and files are named', () => {
    const jsonl = textsFromJsonLines(enc('{"text":"one fish","label":"a"}\n\n{"text":"two fish"}\r\n'), 'u.jsonl');
    expect(jsonl.texts).toEqual(['one fish', 'two fish']);
    expect(jsonl.labels).toEqual(['a', null]);
    expect(jsonl.sources).toEqual(['line 1', 'line 3']);
    expect(() => textsFromJsonLines(enc('{"text":"ok"}\n{"txt":"no"}'), 'u.jsonl')).toThrow(/u\.jsonl line 2 has no string field "text"/);
    expect(() => textsFromJsonLines(enc('{"text":"ok"}\nnot json'), 'u.jsonl')).toThrow(/line 2 is not JSON/);
    const table = parseCsv('id,body,genre\n1,"A long text, with a comma",news\n2,Short one,fiction\n');
    const data = textsFromTable(table, 'body', 'genre');
    expect(data.texts).toEqual(['A long text, with a comma', 'Short one']);
    expect(data.labels).toEqual(['news', 'fiction']);
    expect(() => textsFromTable(table, 'id')).toThrow(/holds numbers, not texts/);
  });

  it('binary, non-UTF-8, empty and oversized inputs get clear errors', () => {
    expect(() => textsFromFiles([{ path: 'a.txt', bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]) }])).toThrow(/a\.txt is not a text file/);
    expect(() => textsFromFiles([{ path: 'latin1.txt', bytes: new Uint8Array([0x63, 0x61, 0x66, 0xe9]) }])).toThrow(/latin1\.txt is not UTF-8/);
    expect(() => textsFromFiles([{ path: 'a.txt', bytes: enc('  \n') }])).toThrow(/every text in the input is empty/);
    expect(() => textsFromFiles([{ path: 'a.md', bytes: enc('x') }])).toThrow(/no \.txt files/);
    expect(() => textsFromFiles([{ path: 'a.txt', bytes: enc('x'.repeat(50)) }], { maxCharsPerText: 10 })).toThrow(/a\.txt has 50 characters/);
  });
});

describe('the text RKME', () => {
  it('builds from embedded passages, writes the reference layout plus our embedder key, and reads it back', async () => {
    const data = embedded(of(train, 'press', 120));
    const { spec } = await textSpecType.build(new TsBackend(), data, { K: 20 });
    const json = JSON.parse(serializeStatSpec(spec)) as Record<string, unknown>;
    expect(json.type).toBe('RKMETextSpecification');
    expect(json.language).toEqual(['en']);
    expect(json.embedder).toEqual({ id: 'glove-100d-50k', version: '1', dim: 100, tokenizer: 'lower-alnum-1' });
    expect((json.z as number[][])[0]).toHaveLength(100);
    const back = parseStatSpec(serializeStatSpec(spec)) as RkmeTextSpec;
    expect(back.rkme.z).toEqual(spec.rkme.z);
    expect(specType(back.type).innerProduct(back, spec, specType(back.type).ownSettings(spec))).toBeCloseTo(
      specType(back.type).innerProduct(spec, spec, specType(spec.type).ownSettings(spec)),
      12,
    );
  });

  it('an island of text specs compares in raw embedding units (no pooled per-dimension scale: docs/text.md §7)', async () => {
    const specs = await Promise.all(['press', 'fiction'].map(async (s) => (await textSpecType.build(new TsBackend(), embedded(of(train, s, 60)), { K: 10 })).spec));
    const schema = textSpecType.islandSchema(specs[0], { features: [] } as never);
    expect(textSpecType.islandSettings(specs, schema)).toEqual({ gamma: 0.1, scale: null });
  });

  it("a spec in the reference's layout (no embedder key, 384-d) loads as the reference embedder's and is never compared with ours", async () => {
    const z = Array.from({ length: 3 }, (_, i) => Array.from({ length: 384 }, (_, j) => Math.sin(i + j)));
    const python = parseStatSpec(JSON.stringify({ z, beta: [0.2, 0.3, 0.5], gamma: 0.1, num_points: 40, type: 'RKMETextSpecification', language: ['en'] })) as RkmeTextSpec;
    expect(python.embedder.id).toBe('paraphrase-multilingual-MiniLM-L12-v2');
    const { spec: ours } = await textSpecType.build(new TsBackend(), embedded(of(train, 'press', 60)), { K: 10 });
    expect(textSpecType.incomparable!(ours, python)).toMatch(/embedded by paraphrase-multilingual-MiniLM-L12-v2/);
    expect(() =>
      parseStatSpec(JSON.stringify({ z: [[1, 2]], beta: [1], gamma: 0.1, num_points: 4, type: 'RKMETextSpecification', embedder: { id: 'e', version: '1', dim: 3, tokenizer: 't' } })),
    ).toThrow(/the reduced points have 2 dimensions, the embedder e gives 3/);
  });

  it('the language filter: a learnware is compared only when it has every language of the user texts', async () => {
    const backend = new TsBackend();
    const { spec: english } = await textSpecType.build(backend, embedded(of(train, 'press', 60), ['en']), { K: 10 });
    const { spec: both } = await textSpecType.build(backend, embedded(of(train, 'press', 60), ['en', 'fr']), { K: 10 });
    expect(textSpecType.incomparable!(both, english)).toMatch(/the user's also in fr/);
    expect(textSpecType.incomparable!(english, both)).toBeNull();
    // languages of real texts: 9 English passages and 1 French one make an English corpus
    expect(corpusLanguages([...Array(9).fill({ language: 'en', probability: 0.9 }), { language: 'fr', probability: 0.9 }])).toEqual(['en', 'fr']);
  });

  it('a text shard round-trips its specs with their languages; a damaged one is refused', async () => {
    const backend = new TsBackend();
    const specs = [
      (await textSpecType.build(backend, embedded(of(train, 'press', 50), ['en']), { K: 8 })).spec,
      (await textSpecType.build(backend, embedded(of(train, 'fiction', 50), ['en', 'de']), { K: 6 })).spec,
    ];
    const schema = textSpecType.islandSchema(specs[0], { name: 'ids', features: [], dtype: 'int64', shape: [null, 128] });
    expect(schema.features).toEqual(embeddingDimensions(specs[0].embedder));
    const { bytes, offsets } = textSpecType.encodeShard(specs, schema);
    const back = textSpecType.decodeShard(bytes);
    expect(back.map((s) => s.language)).toEqual([['en'], ['en', 'de']]);
    expect(back[1].rkme.z).toEqual(specs[1].rkme.z);
    expect(offsets[0]).toBeGreaterThan(16);
    const damaged = bytes.slice();
    damaged[20] = 0x7b; // inside the JSON record list
    expect(() => textSpecType.decodeShard(damaged)).toThrow(/text spec shard/);
    expect(() => textSpecType.decodeShard(bytes.subarray(0, bytes.length - 8))).toThrow(/shard/);
  });
});

describe('text learnwares: pack, check, reuse', () => {
  let press: Awaited<ReturnType<typeof textLearnware>>;
  let fiction: Awaited<ReturnType<typeof textLearnware>>;
  const learnwares: Learnware[] = [];

  beforeAll(async () => {
    press = await textLearnware('brown-press', of(train, 'press', 300));
    fiction = await textLearnware('brown-fiction', of(train, 'fiction', 300));
    for (const packed of [press, fiction]) learnwares.push(await loadLearnware(packed.bundle));
  });

  it('packs a naive Bayes text model with its vocabulary; the checker runs it on token ids, the empty text included', () => {
    expect(press.check.status).toBe('USABLE');
    expect(press.manifest.model.input).toMatchObject({ dtype: 'int64', features: [], shape: [null, 128], text: { vocab: 'vocab.txt', maxLength: 128, tokenizer: 'lower-alnum-1' } });
    expect(press.check.passed.find((p) => p.id === 'spec')?.label).toMatch(/token ids of length 128 from a vocabulary of \d+ tokens/);
    expect(press.check.passed.find((p) => p.id === 'model-run')?.label).toMatch(/ran on 49 rows/);
  });

  it('a bundle whose vocabulary is not what its manifest says is INVALID', async () => {
    const files = readZip(press.bundle);
    const shorter = enc(new TextDecoder().decode(files.get('vocab.txt')!).split('\n').slice(0, 10).join('\n'));
    const manifest = JSON.parse(new TextDecoder().decode(files.get('learnware.json')!));
    manifest.files['vocab.txt'] = { sha256: await sha256Hex(shorter), size: shorter.length };
    files.set('vocab.txt', shorter);
    files.set('learnware.json', enc(JSON.stringify(manifest)));
    const result = await checkBundle(writeZip(files));
    expect(result.status).toBe('INVALID');
    expect(result.reasons.map((r) => r.message).join(' ')).toMatch(/vocab\.txt holds 10 tokens, the manifest says \d+/);
  });

  it('reuse: each model gets its own token ids, the methods see the embeddings; single, average and job selector predict every text', async () => {
    const user = embedded([...of(test, 'press', 40), ...of(test, 'fiction', 40)]);
    const columns = embeddingDimensions(user.embedding!.embedder);
    const truth = user.labels!;
    for (const method of ['single', 'average', 'job-selector'] as const) {
      const { predictions, composite } = await reuseLearnwares({
        method,
        learnwares: method === 'single' ? [learnwares[0]] : learnwares,
        values: user.embedding!.values,
        rows: user.rows,
        columns,
        texts: user.texts,
      });
      expect(predictions.rows).toBe(80);
      expect(composite.features).toEqual(columns);
      if (method === 'single') continue;
      // a press or fiction genre for every passage; most right (naive Bayes on 300 passages)
      const width = predictions.classes!.length;
      let right = 0;
      for (let r = 0; r < 80; r++) {
        const row = predictions.values.subarray(r * width, (r + 1) * width);
        right += Number(predictions.classes![row.indexOf(Math.max(...row))] === truth[r]);
      }
      expect(right / 80, method).toBeGreaterThan(0.4);
    }
    await expect(reuseLearnwares({ method: 'single', learnwares: [learnwares[0]], values: user.embedding!.values, rows: user.rows, columns })).rejects.toThrow(/takes texts/);
  });
});
