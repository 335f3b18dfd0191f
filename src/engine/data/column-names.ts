/**
 * How alike a user's column name is to an island column's name and description
 * (docs/heterogeneous.md §1): names are split into words (case changes, digits, separators),
 * common abbreviations are spelled out, plurals folded, and the user's words are looked for in the
 * island's name and in its semantic description. A trigram overlap of the squashed names catches
 * typos and run-together words. Scores lie in [0, 1]; 1 for the same words. Pure: imports nothing
 * (search/columns.ts matches a user's table with it, catalog/links.ts links islands).
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
    for (const e of expanded) words.push(singular(e));
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

/**
 * How well the user's column name names the island column: the best of the word overlap with the
 * island's name, the share of the user's words in the island's description (less when the
 * description says much more), and the trigram overlap of the squashed names.
 */
export function nameSimilarity(user: PreparedName, name: PreparedName, description: PreparedName | null): number {
  if (user.squashed === '' || name.squashed === '') return 0;
  if (user.squashed === name.squashed) return 1;
  let best = Math.max(jaccard(user.words, name.words), jaccard(user.grams, name.grams));
  if (description && description.words.size > 0) {
    let found = 0;
    for (const w of user.words) if (description.words.has(w)) found++;
    const share = found / user.words.size;
    const told = found / description.words.size;
    best = Math.max(best, 0.9 * share * (0.5 + 0.5 * told));
  }
  return best;
}
