/**
 * Column-matching trials on public tables (tests/data: sklearn's wine and breast cancer), the
 * protocol of docs/heterogeneous.md §5 and the reference measurements: the rows are split between
 * a learnware (its training rows) and a user (held-out rows); each side sees its own random 70 % of
 * the columns; the user's columns come shuffled, renamed as a person would (abbreviations, case,
 * separators, synonyms; one naming style per file) and affinely rescaled (half of them by a round
 * unit factor, half by an arbitrary factor and offset). The learnware's columns carry short
 * descriptions as a publisher would write them in the semantic spec. Everything is deterministic
 * per seed (core/prng.ts). Shared by tests/unit/column-matching.test.ts and bench/columns.bench.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Prng } from '../../src/engine/index.js';

export type PublicTableName = 'wine' | 'breast_cancer';

export interface PublicTable {
  name: PublicTableName;
  /** column names as scikit-learn gives them */
  columns: string[];
  /** a publisher's description of each column */
  descriptions: string[];
  /** row-major rows × columns */
  values: Float64Array;
  rows: number;
  /** class index of each row */
  labels: Float64Array;
  classes: number;
}

const DATA = join(import.meta.dirname, '..', 'data');

const WINE_DESCRIPTIONS: Record<string, string> = {
  alcohol: 'Alcohol content of the wine (% by volume)',
  malic_acid: 'Malic acid (g/l)',
  ash: 'Ash (g/l)',
  alcalinity_of_ash: 'Alkalinity of the ash (mEq/l)',
  magnesium: 'Magnesium (mg/l)',
  total_phenols: 'Total phenols',
  flavanoids: 'Flavanoid phenols',
  nonflavanoid_phenols: 'Non-flavanoid phenols',
  proanthocyanins: 'Proanthocyanins (condensed tannins)',
  color_intensity: 'Colour intensity',
  hue: 'Hue',
  'od280/od315_of_diluted_wines': 'OD280/OD315 absorbance ratio of diluted wines (protein content)',
  proline: 'Proline, an amino acid (mg/l)',
};

/** The ten measurements of a breast-cancer nucleus, with what they mean. */
const NUCLEUS: Record<string, string> = {
  radius: 'mean distance from the centre to points on the perimeter',
  texture: 'standard deviation of grey-scale values',
  perimeter: 'perimeter of the nucleus',
  area: 'area of the nucleus',
  smoothness: 'local variation in radius lengths',
  compactness: 'perimeter squared over area, minus 1',
  concavity: 'severity of concave portions of the contour',
  'concave points': 'number of concave portions of the contour',
  symmetry: 'symmetry of the nucleus',
  'fractal dimension': 'coastline approximation minus 1',
};

function breastCancerDescription(column: string): string {
  const [statistic, ...rest] = column.split(' ');
  const feature = statistic === 'mean' || statistic === 'worst' ? rest.join(' ') : column.replace(/ error$/, '');
  const what = NUCLEUS[feature];
  const title = feature[0].toUpperCase() + feature.slice(1);
  if (statistic === 'mean') return `${title}, mean over the nuclei in the image: ${what}`;
  if (statistic === 'worst') return `${title}, worst value (mean of the three largest) over the nuclei: ${what}`;
  return `${title}, standard error over the nuclei: ${what}`;
}

export function loadPublicTable(name: PublicTableName): PublicTable {
  const lines = readFileSync(join(DATA, `${name}.csv`), 'utf8')
    .trim()
    .split('\n');
  const header = lines[0].split(',');
  const target = header.indexOf('target');
  const columns = header.filter((_, j) => j !== target);
  const rows = lines.length - 1;
  const values = new Float64Array(rows * columns.length);
  const labels = new Float64Array(rows);
  lines.slice(1).forEach((line, r) => {
    const cells = line.split(',').map(Number);
    let c = 0;
    cells.forEach((v, j) => {
      if (j === target) labels[r] = v;
      else values[r * columns.length + c++] = v;
    });
  });
  const descriptions = columns.map((c) => (name === 'wine' ? WINE_DESCRIPTIONS[c] : breastCancerDescription(c)));
  return { name, columns, descriptions, values, rows, labels, classes: Math.max(...labels) + 1 };
}

/** Ways people write the wine columns (words; the file's style joins them). */
const WINE_NAMES: Record<string, string[][]> = {
  alcohol: [['alcohol'], ['alc'], ['alcohol', 'pct'], ['ethanol'], ['alc', 'vol']],
  malic_acid: [['malic', 'acid'], ['malic'], ['malic', 'ac'], ['malic', 'acid', 'g', 'l']],
  ash: [['ash'], ['ash', 'content'], ['ash', 'g', 'l']],
  alcalinity_of_ash: [['alkalinity', 'ash'], ['ash', 'alcalinity'], ['alk', 'ash'], ['alcalinity']],
  magnesium: [['magnesium'], ['mg'], ['magnes'], ['magnesium', 'mg', 'l']],
  total_phenols: [['total', 'phenols'], ['tot', 'phenols'], ['phenols', 'total'], ['phenols']],
  flavanoids: [['flavanoids'], ['flavonoids'], ['flav'], ['flavanoid', 'phenols']],
  nonflavanoid_phenols: [
    ['nonflavanoid', 'phenols'],
    ['non', 'flav', 'phenols'],
    ['nonflav', 'phenols'],
    ['non', 'flavanoid'],
  ],
  proanthocyanins: [['proanthocyanins'], ['proanth'], ['proanthocyanidins'], ['tannins']],
  color_intensity: [
    ['color', 'intensity'],
    ['colour', 'intensity'],
    ['color', 'int'],
    ['col', 'intensity'],
  ],
  hue: [['hue'], ['hue', 'value'], ['colour', 'hue']],
  'od280/od315_of_diluted_wines': [['od280', 'od315'], ['od', 'ratio'], ['od280'], ['od280', 'od315', 'diluted']],
  proline: [['proline'], ['prol'], ['proline', 'mg', 'l']],
};

const STATISTIC_NAMES: Record<string, string[][]> = {
  mean: [['mean'], ['avg'], ['average']],
  error: [['se'], ['err'], ['std', 'err'], ['error'], ['stderr']],
  worst: [['worst'], ['max'], ['largest']],
};

const NUCLEUS_NAMES: Record<string, string[][]> = {
  radius: [['radius'], ['rad']],
  texture: [['texture'], ['tex'], ['txt']],
  perimeter: [['perimeter'], ['perim']],
  area: [['area']],
  smoothness: [['smoothness'], ['smooth']],
  compactness: [['compactness'], ['compact']],
  concavity: [['concavity'], ['concav']],
  'concave points': [
    ['concave', 'points'],
    ['concave', 'pts'],
    ['conc', 'pts'],
    ['n', 'concave'],
  ],
  symmetry: [['symmetry'], ['sym'], ['symm']],
  'fractal dimension': [['fractal', 'dimension'], ['fractal', 'dim'], ['fractal'], ['fd']],
};

const capital = (w: string) => (w ? w[0].toUpperCase() + w.slice(1) : w);

/** Naming styles; a person's file keeps one. */
const STYLES: ((words: string[]) => string)[] = [
  (w) => w.join('_'),
  (w) => w.map(capital).join(''),
  (w) => w[0] + w.slice(1).map(capital).join(''),
  (w) => [capital(w[0]), ...w.slice(1)].join(' '),
  (w) => w.join('_').toUpperCase(),
  (w) => w.join('-'),
  (w) => w.join('.'),
];

/** The words a person uses for a column of the table. */
function personWords(table: PublicTableName, column: string, prng: Prng, order: 'statistic first' | 'feature first'): string[] {
  const pick = (options: string[][]) => options[prng.nextInt(options.length)];
  if (table === 'wine') return pick(WINE_NAMES[column]);
  const [first, ...rest] = column.split(' ');
  const statistic = first === 'mean' || first === 'worst' ? first : 'error';
  const feature = statistic === 'error' ? column.replace(/ error$/, '') : rest.join(' ');
  const s = pick(STATISTIC_NAMES[statistic]);
  const f = pick(NUCLEUS_NAMES[feature]);
  return order === 'statistic first' ? [...s, ...f] : [...f, ...s];
}

/** Names for the given columns as one person would write them (distinct; a clash gets a digit). */
export function renameColumns(table: PublicTableName, columns: readonly string[], prng: Prng): string[] {
  const style = STYLES[prng.nextInt(STYLES.length)];
  const order = prng.nextFloat() < 0.5 ? 'statistic first' : 'feature first';
  const seen = new Set<string>();
  return columns.map((c) => {
    let name = style(personWords(table, c, prng, order));
    for (let k = 2; seen.has(name); k++) name = `${style(personWords(table, c, prng, order))}${k}`;
    seen.add(name);
    return name;
  });
}

/** Round unit factors a person's file may differ by (island value × factor = user value). */
const UNIT_FACTORS = [1000, 1 / 1000, 100, 1 / 100, 10, 1 / 10];

export interface TrialSide {
  /** indices into the table's columns, in this side's column order */
  columns: number[];
  /** this side's column names */
  names: string[];
  /** row-major rows × columns, in this side's units */
  values: Float64Array;
  rows: number;
  labels: Float64Array;
  /** this side's rows in the table */
  tableRows: Int32Array;
}

export interface ColumnTrial {
  table: PublicTable;
  /** the learnware's training rows, its columns named and described as published */
  learnware: TrialSide & { descriptions: string[] };
  /** the user's held-out rows: user value = factor · table value + offset */
  user: TrialSide & { factor: number[]; offset: number[] };
}

export interface TrialOptions {
  /** share of the columns each side sees (default 0.7) */
  share?: number;
  /** share of the rows the learnware is trained on (default 0.5; the user has the rest) */
  train?: number;
}

function gather(table: PublicTable, rows: Int32Array, columns: readonly number[], map?: (v: number, k: number) => number): Float64Array {
  const d = table.columns.length;
  const out = new Float64Array(rows.length * columns.length);
  rows.forEach((r, i) => columns.forEach((c, k) => (out[i * columns.length + k] = map ? map(table.values[r * d + c], k) : table.values[r * d + c])));
  return out;
}

/** One seeded trial of the protocol. */
export function columnTrial(table: PublicTable, seed: number, options: TrialOptions = {}): ColumnTrial {
  const prng = new Prng(seed);
  const d = table.columns.length;
  const keep = Math.round((options.share ?? 0.7) * d);
  const order = prng.sampleWithoutReplacement(table.rows, table.rows);
  const nTrain = Math.round((options.train ?? 0.5) * table.rows);
  const trainRows = order.slice(0, nTrain);
  const userRows = order.slice(nTrain);
  const learnwareColumns = Array.from(prng.sampleWithoutReplacement(d, keep)).sort((a, b) => a - b);
  const userColumns = Array.from(prng.sampleWithoutReplacement(d, keep)); // already in a random order
  const spread = userColumns.map((c) => {
    let mean = 0;
    for (let r = 0; r < table.rows; r++) mean += table.values[r * d + c] / table.rows;
    let v = 0;
    for (let r = 0; r < table.rows; r++) v += (table.values[r * d + c] - mean) ** 2 / table.rows;
    return Math.sqrt(v);
  });
  const factor: number[] = [];
  const offset: number[] = [];
  userColumns.forEach((_, k) => {
    if (prng.nextFloat() < 0.5) {
      factor.push(UNIT_FACTORS[prng.nextInt(UNIT_FACTORS.length)]);
      offset.push(0);
    } else {
      const f = 10 ** (2 * prng.nextFloat() - 1);
      factor.push(f);
      offset.push((4 * prng.nextFloat() - 2) * f * spread[k]);
    }
  });
  const names = renameColumns(
    table.name,
    userColumns.map((c) => table.columns[c]),
    prng,
  );
  return {
    table,
    learnware: {
      columns: learnwareColumns,
      names: learnwareColumns.map((c) => table.columns[c]),
      descriptions: learnwareColumns.map((c) => table.descriptions[c]),
      values: gather(table, trainRows, learnwareColumns),
      rows: trainRows.length,
      labels: Float64Array.from(trainRows, (r) => table.labels[r]),
      tableRows: trainRows,
    },
    user: {
      columns: userColumns,
      names,
      values: gather(table, userRows, userColumns, (v, k) => factor[k] * v + offset[k]),
      rows: userRows.length,
      labels: Float64Array.from(userRows, (r) => table.labels[r]),
      tableRows: userRows,
      factor,
      offset,
    },
  };
}

/** The true pairs of a trial: user column name → learnware column name, for the columns both sides have. */
export function truePairs(trial: ColumnTrial): Map<string, string> {
  const truth = new Map<string, string>();
  trial.user.columns.forEach((c, k) => {
    const j = trial.learnware.columns.indexOf(c);
    if (j >= 0) truth.set(trial.user.names[k], trial.learnware.names[j]);
  });
  return truth;
}

/** Pairs found against the truth: how many were found, how many of them are right, how many there are. */
export function scorePairs(pairs: readonly { user: string; island: string }[], truth: ReadonlyMap<string, string>): { found: number; right: number; truth: number } {
  return { found: pairs.length, right: pairs.filter((p) => truth.get(p.user) === p.island).length, truth: truth.size };
}
