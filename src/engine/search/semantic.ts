/**
 * Semantic search over catalog entries (docs/algorithms.md §4.5, improved): tag filters on
 * Data, Task, Library, Scenario and License (each a list of accepted values: OR within a key, AND
 * across keys), then a free-text query ranked by BM25 over the name, the description and the
 * input/output descriptions (the reference ignores the description), tolerant to typos: a query
 * word also matches document words within edit distance 1 (≥ 4 letters) or 2 (≥ 8 letters), and
 * words it starts, at a reduced weight.
 */
import type { SemanticSpec } from '../bundle/semantic.js';

export interface SemanticQuery {
  Data?: string[];
  Task?: string[];
  Library?: string[];
  Scenario?: string[];
  License?: string[];
  /** free text; empty = no ranking, filtered entries in catalog order */
  text?: string;
}

export interface SemanticHit {
  /** position in the entries given */
  index: number;
  /** BM25 relevance (0 without a text query) */
  relevance: number;
}

const K1 = 1.2;
const B = 0.75;

export function semanticSearch(entries: readonly { name: string; semantic: SemanticSpec }[], query: SemanticQuery): SemanticHit[] {
  const passing: number[] = [];
  entries.forEach((entry, index) => {
    if (passesFilters(entry.semantic, query)) passing.push(index);
  });
  const terms = tokenize(query.text ?? '');
  if (terms.length === 0) return passing.map((index) => ({ index, relevance: 0 }));

  const documents = passing.map((index) => tokenize(documentText(entries[index].name, entries[index].semantic)));
  const averageLength = documents.reduce((s, d) => s + d.length, 0) / Math.max(1, documents.length);
  const hits: SemanticHit[] = [];
  documents.forEach((words, k) => {
    const counts = new Map<string, number>();
    for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
    let relevance = 0;
    for (const term of terms) {
      // best-matching document word for this query term, with its similarity weight
      let best = 0;
      let bestWord = '';
      for (const word of counts.keys()) {
        const similarity = termSimilarity(term, word);
        if (similarity > best) {
          best = similarity;
          bestWord = word;
        }
      }
      if (best === 0) continue;
      const containing = documents.filter((d) => d.includes(bestWord)).length;
      const idf = Math.log(1 + (documents.length - containing + 0.5) / (containing + 0.5));
      const tf = counts.get(bestWord)!;
      relevance += best * idf * ((tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * words.length) / averageLength)));
    }
    if (relevance > 0) hits.push({ index: passing[k], relevance });
  });
  return hits.sort((a, b) => b.relevance - a.relevance || a.index - b.index);
}

function passesFilters(semantic: SemanticSpec, query: SemanticQuery): boolean {
  for (const key of ['Data', 'Task', 'Library', 'License'] as const) {
    const wanted = query[key];
    if (wanted && wanted.length > 0 && !wanted.includes(semantic[key]?.Values?.[0])) return false;
  }
  if (query.Scenario && query.Scenario.length > 0 && !semantic.Scenario?.Values?.some((s) => query.Scenario!.includes(s))) return false;
  return true;
}

function documentText(name: string, s: SemanticSpec): string {
  return [name, s.Name?.Values, s.Description?.Values, ...Object.values(s.Input?.Description ?? {}), ...Object.values(s.Output?.Description ?? {})].join(' ');
}

export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** 1 exact; 0.8 within the typo budget or as a prefix of the word; 0 otherwise. */
function termSimilarity(term: string, word: string): number {
  if (term === word) return 1;
  if (term.length >= 3 && word.startsWith(term)) return 0.8;
  const budget = term.length >= 8 ? 2 : term.length >= 4 ? 1 : 0;
  if (budget === 0 || Math.abs(term.length - word.length) > budget) return 0;
  return editDistance(term, word, budget) <= budget ? 0.8 : 0;
}

/** Damerau–Levenshtein (optimal string alignment) distance, stopping early past `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const dp = Array.from({ length: rows }, (_, i) => {
    const row = new Array<number>(cols).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j < cols; j++) dp[0][j] = j;
  for (let i = 1; i < rows; i++) {
    let rowMin = Infinity;
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, dp[i - 2][j - 2] + 1);
      dp[i][j] = v;
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > limit) return rowMin;
  }
  return dp[a.length][b.length];
}
