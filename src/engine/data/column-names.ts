/**
 * How alike a user's column name is to an island column's name and description
 * (docs/heterogeneous.md §1): names are split into words (case changes, digits, separators),
 * common abbreviations are spelled out, plurals folded, and the user's words are looked for in the
 * island's name and in its semantic description. Words match softly (a truncation, letters left
 * out, a spelling variant) and, given the island's word weights, count by how rare they are among
 * the island's columns. A trigram overlap of the squashed names catches typos and run-together
 * words. Scores lie in [0, 1]; 1 for the same words. Pure: imports nothing (search/columns.ts
 * matches a user's table with it, catalog/links.ts links islands).
 */

/** Abbreviations people write in column names, by the word they stand for. */
const ABBREVIATIONS: Record<string, string[]> = {
  sqft: ['square', 'foot'],
  sqm: ['square', 'metre'],
  ft2: ['square', 'foot'],
  m2: ['square', 'metre'],
  sq: ['square'],
  ft: ['foot'],
  feet: ['foot'],
  meter: ['metre'],
  no: ['number'],
  num: ['number'],
  nbr: ['number'],
  n: ['number'],
  cnt: ['count'],
  qty: ['quantity'],
  amt: ['amount'],
  avg: ['average'],
  mean: ['average'],
  med: ['median'],
  pct: ['percent'],
  perc: ['percent'],
  dist: ['distance'],
  temp: ['temperature'],
  hr: ['hour'],
  hrs: ['hour'],
  yr: ['year'],
  yrs: ['year'],
  mo: ['month'],
  mon: ['month'],
  mth: ['month'],
  mnth: ['month'],
  wk: ['week'],
  dow: ['day', 'week'],
  wkday: ['weekday'],
  dep: ['departure'],
  depart: ['departure'],
  arr: ['arrival'],
  vol: ['volume'],
  inv: ['inventory'],
  invent: ['inventory'],
  lst: ['listing'],
  list: ['listing'],
  val: ['value'],
  tot: ['total'],
  max: ['maximum'],
  min: ['minimum'],
  std: ['deviation'],
  sd: ['deviation'],
  err: ['error'],
  se: ['error'],
  sem: ['error'],
  stderr: ['error'],
  sz: ['size'],
  ht: ['height'],
  wt: ['weight'],
  len: ['length'],
  lat: ['latitude'],
  lon: ['longitude'],
  lng: ['longitude'],
  km: ['kilometre'],
  mi: ['mile'],
  kg: ['kilogram'],
  lb: ['pound'],
  lbs: ['pound'],
  usd: ['dollar'],
};

/** Words that carry no meaning in a column description. */
const STOPWORDS = new Set(['of', 'the', 'a', 'an', 'in', 'on', 'at', 'per', 'for', 'to', 'by', 'and', 'or', 'as', 'is', 'from', 'with', 'its', 'this', 'that', 'each']);

/** "months_of_inventory", "MonthsInventory", "months inventory" → month, inventory. */
export function nameWords(text: string): string[] {
  const raw = text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}²]+/u)
    .filter(Boolean);
  const words: string[] = [];
  for (const word of raw) {
    if (/^\d+$/.test(word) || STOPWORDS.has(word)) continue;
    const w = word.replace(/²/g, '2');
    const expanded = Object.hasOwn(ABBREVIATIONS, w) ? ABBREVIATIONS[w] : [w];
    for (const e of expanded) {
      // "std_err", "sd error": a standard error, not a deviation
      if (e === 'error' && words[words.length - 1] === 'deviation') words.pop();
      words.push(singular(e));
    }
  }
  return words;
}

function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return word.slice(0, -3) + 'y';
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

function trigrams(text: string): Set<string> {
  const padded = `  ${text} `;
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) grams.add(padded.slice(i, i + 3));
  return grams;
}

function jaccard<T>(a: Set<T>, b: Set<T>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let common = 0;
  for (const x of a) if (b.has(x)) common++;
  return common / (a.size + b.size - common);
}

/** Letters of `short` appear in `long` in order. */
function subsequence(short: string, long: string): boolean {
  let i = 0;
  for (let j = 0; j < long.length && i < short.length; j++) if (long[j] === short[i]) i++;
  return i === short.length;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** Word pairs already compared (a catalog repeats its words; cleared when large). */
const compared = new Map<string, number>();

/**
 * How alike two words are (docs/heterogeneous.md §1): 1 the same; 0.85 one cut short of the other
 * ("perim", "compact"; three letters at least); 0.7 letters left out, the first kept ("pts" for
 * "points"); for words of five letters or more, a spelling variant ("alcalinity", "colour")
 * scores its edit-distance similarity when that is 0.8 or more. Else 0.
 */
export function wordSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const short = a.length <= b.length ? a : b;
  const long = short === a ? b : a;
  // only a spelling variant may differ in its first letter: most pairs end here, unmemoised
  if (short[0] !== long[0] && (short.length < 5 || long.length - short.length > 0.2 * long.length)) return 0;
  const key = `${short} ${long}`;
  let s = compared.get(key);
  if (s === undefined) {
    if (compared.size > 100_000) compared.clear();
    compared.set(key, (s = softMatch(short, long)));
  }
  return s;
}

function softMatch(short: string, long: string): number {
  if (short.length >= 3 && long.startsWith(short)) return 0.85;
  if (short.length >= 2 && short[0] === long[0] && subsequence(short, long)) return 0.7;
  // an edit-distance similarity of 0.8 needs lengths within a fifth of the longer
  if (short.length >= 5 && long.length - short.length <= 0.2 * long.length) {
    const similarity = 1 - editDistance(short, long) / long.length;
    if (similarity >= 0.8) return similarity;
  }
  return 0;
}

/**
 * Weights of an island's words: log((N + 1) / df), df the number of its N columns whose name or
 * description holds the word (docs/heterogeneous.md §1). A word every column has ("nuclei",
 * "mean" in a table of means) tells its columns apart no better than none; a word the island
 * lacks weighs as much as the rarest.
 */
export interface WordWeights {
  idf: Map<string, number>;
  unseen: number;
}

export function wordWeights(names: readonly PreparedName[], descriptions: readonly (PreparedName | null)[]): WordWeights {
  const df = new Map<string, number>();
  names.forEach((name, j) => {
    for (const w of new Set([...name.words, ...(descriptions[j]?.words ?? [])])) df.set(w, (df.get(w) ?? 0) + 1);
  });
  const N = names.length;
  return { idf: new Map([...df].map(([w, n]) => [w, Math.log((N + 1) / n)])), unseen: Math.log(N + 1) };
}

/** A column name or description prepared once for many comparisons. */
export interface PreparedName {
  words: Set<string>;
  squashed: string;
  grams: Set<string>;
}

export function prepareName(text: string): PreparedName {
  const words = nameWords(text);
  const squashed = words.join('');
  return { words: new Set(words), squashed, grams: trigrams(squashed) };
}

function weightOf(weights: WordWeights | undefined, word: string | null): number {
  if (!weights) return 1;
  return word === null ? weights.unseen : (weights.idf.get(word) ?? weights.unseen);
}

/**
 * The weighted soft overlaps of the user's words U with an island's words V, each word counting
 * its best match on the other side: `share` the weight of U found in V over U's, `told` the weight
 * of V found in U over V's, `dice` both together. A user word the island lacks weighs what the
 * island word it matched weighs (or `unseen`). Loops, not arrays: this runs for every pair of a query.
 */
function overlap(user: Set<string>, island: Set<string>, weights: WordWeights | undefined): { share: number; told: number; dice: number } {
  let found = 0;
  let all = 0;
  for (const u of user) {
    let best = 0;
    let to: string | null = null;
    for (const v of island) {
      const s = wordSimilarity(u, v);
      if (s > best) [best, to] = [s, v];
      if (s === 1) break;
    }
    const w = weightOf(weights, weights?.idf.has(u) ? u : to);
    found += w * best;
    all += w;
  }
  let told = 0;
  let theirs = 0;
  for (const v of island) {
    let best = 0;
    for (const u of user) {
      best = Math.max(best, wordSimilarity(u, v));
      if (best === 1) break;
    }
    const w = weightOf(weights, v);
    told += w * best;
    theirs += w;
  }
  return { share: all > 0 ? found / all : 0, told: theirs > 0 ? told / theirs : 0, dice: all + theirs > 0 ? (found + told) / (all + theirs) : 0 };
}

/**
 * How well the user's column name names the island column: the best of the weighted soft word
 * overlap (Dice) with the island's name, the share of the user's words in the island's
 * description (less when the description says much more), and the trigram overlap of the squashed
 * names. `weights` are the island's (wordWeights); without them every word weighs the same.
 */
export function nameSimilarity(user: PreparedName, name: PreparedName, description: PreparedName | null, weights?: WordWeights): number {
  if (user.squashed === '' || name.squashed === '') return 0;
  if (user.squashed === name.squashed) return 1;
  let best = Math.max(overlap(user.words, name.words, weights).dice, jaccard(user.grams, name.grams));
  if (description && description.words.size > 0) {
    const { share, told } = overlap(user.words, description.words, weights);
    best = Math.max(best, 0.9 * share * (0.5 + 0.5 * told));
  }
  return best;
}
