/**
 * `npm run bench:columns`: column matching on public tables (issue 14; docs/heterogeneous.md §5),
 * the protocol of the reference measurements (docs/heterogeneous.md §5): per table
 * (tests/data: wine, breast cancer) and seeded trial, a logistic-regression learnware is trained on
 * half the rows and a random 70 % of the columns; the user holds the other rows and their own
 * random 70 % of the columns, shuffled, renamed as a person would and affinely rescaled
 * (tests/shared/public-tables.ts). The learnware publishes its table RKME and, per column, a name,
 * a description and the signature computed from its reduced points (`columns.signatures([spec])`,
 * as the catalog index does). Reported: precision and recall of the column pairs (names +
 * statistics; statistics only, the user's names made meaningless), after matching and after the
 * unit maps, and the learnware's accuracy on the user's rows with
 *   - all its columns in true units (the ceiling),
 *   - the true alignment (true pairs, exact unit maps), missing columns filled from the spec (`fill`),
 *     and filled with the learnware's mean,
 *   - our matching + unit maps (units.ts `estimateUnits`) + conditional fill,
 *   - statistics-only matching, through the same unit maps (which drop statistics-only pairs no
 *     known conversion fits) and, separately, with every pair mapped onto the learnware's location
 *     and spread,
 *   - the reference-style MLP aligner (FeatureAlignLearnware: d_user → 1024 → d_L, ReLU, 50
 *     full-batch Adam epochs at lr 1e-3 minimising MMD² between the mapped user reduced set and the
 *     learnware's, Gaussian kernel γ 0.1 on raw values, PyTorch's default initialisation), and the
 *     same aligner on standardised reduced sets,
 *   - every learnware column = the learnware's mean (the spec's β-weighted mean).
 * Precision and recall are pooled over trials (Σ right / Σ found, Σ right / Σ true pairs).
 * Options: --trials n (default 20), --hidden n (MLP hidden units, default 1024), --quick (3 trials;
 * columns-quick.json), --engine text (the engine version to record, for a run outside a checkout).
 * Writes bench/results/columns(-quick).json and prints a table. Takes about 10 minutes on 2 cores,
 * nearly all of it in the MLP aligner (the reference's 1024 hidden units).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildTableRkme,
  estimateUnits,
  fitSoftmax,
  mapRows,
  matchColumns,
  predictSoftmax,
  prepareIsland,
  specType,
  tableDataset,
  tableSignatures,
  TsBackend,
  userColumns,
  type ColumnMapping,
  type ColumnPair,
  type MarginalSignature,
  type MatchColumn,
  type SoftmaxModel,
} from '../src/engine/index.js';
import type { RkmeTableSpec } from '../src/engine/spec/table/types.js';
import { columnTrial, loadPublicTable, scorePairs, truePairs, type ColumnTrial, type PublicTableName } from '../tests/shared/public-tables.js';
import { machineInfo } from './machine.js';
import { forward, moments, standardise, trainAligner, unstandardise, type AlignOptions } from './mlp-aligner.js';
import { flag, option } from './options.js';

const ROOT = join(import.meta.dirname, '..');
const quick = flag('quick');
const trials = Number(option('trials') ?? (quick ? 3 : 20));
const hidden = Number(option('hidden') ?? 1024);
const TABLES: PublicTableName[] = ['wine', 'breast_cancer'];
const RKME = 'RKMETableSpecification';
const tableType = specType(RKME);
const columnsOf = tableType.columns!;
const backend = new TsBackend();

/** Seed of trial t on a table: fixed, so every run sees the same trials. */
export const trialSeed = (table: PublicTableName, t: number) => (table === 'wine' ? 1000 : 2000) + t;

// ---------------------------------------------------------------------------------------------
// one trial

interface Learnware {
  model: SoftmaxModel;
  spec: RkmeTableSpec;
  settings: Record<string, unknown>;
  names: string[];
  columns: MatchColumn[];
  signatures: (MarginalSignature | null)[];
}

function accuracy(model: SoftmaxModel, x: Float64Array, rows: number, labels: Float64Array): number {
  const p = predictSoftmax(model, x, rows);
  const C = model.classes;
  let right = 0;
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let k = 1; k < C; k++) if (p[r * C + k] > p[r * C + best]) best = k;
    if (best === labels[r]) right++;
  }
  return right / rows;
}

/** The learnware's accuracy on the user's rows through a mapping, its missing columns filled from its spec (or with its mean). */
function mappedAccuracy(lw: Learnware, trial: ColumnTrial, names: readonly string[], mapping: ColumnMapping, fill: 'spec' | 'mean' = 'spec'): number {
  const { user } = trial;
  const x = mapRows(user.values, user.rows, names, lw.names, mapping);
  const filled = fill === 'spec' ? columnsOf.fill(lw.spec, x, user.rows, lw.settings) : fillMean(lw, x);
  return accuracy(lw.model, filled, user.rows, user.labels);
}

function fillMean(lw: Learnware, x: Float64Array): Float64Array {
  const d = lw.names.length;
  const { mean } = moments(lw.spec.z, lw.spec.beta, lw.spec.K, d);
  return x.map((v, i) => (Number.isFinite(v) ? v : mean[i % d]));
}

/** Our pipeline after matching: unit maps against the learnware (as catalog-search.ts does for an island of one member). */
function withUnits(lw: Learnware, trial: ColumnTrial, names: readonly string[], mapping: ColumnMapping): ColumnMapping {
  const open = mapping.pairs.some((p) => !p.fixed && p.source !== 'name');
  if (!open) return mapping;
  const { user } = trial;
  const userSignatures = tableSignatures(user.values, user.rows, names.length);
  const at = (island: string) => lw.names.indexOf(island);
  const description = (island: string) => lw.columns[at(island)].description ?? '';
  const estimate = estimateUnits(
    mapping.pairs,
    mapping.pairs.map((p) => userSignatures[names.indexOf(p.user)]),
    mapping.pairs.map((p) => lw.signatures[at(p.island)]),
    [mapping.pairs.map((p) => lw.signatures[at(p.island)])],
    mapping.pairs.map((p) => ({ user: p.user, island: `${p.island} ${description(p.island)}` })),
  );
  const kept = new Set(estimate.pairs.map((p) => p.island));
  return { pairs: estimate.pairs, missing: lw.names.filter((n) => !kept.has(n)), ignored: [...mapping.ignored, ...mapping.pairs.filter((p) => !kept.has(p.island)).map((p) => p.user)] };
}

/** Every pair mapped onto the learnware's location and spread (the statistics-only matching the reference measured). */
function fittedToLearnware(lw: Learnware, trial: ColumnTrial, names: readonly string[], mapping: ColumnMapping): ColumnMapping {
  const sig = tableSignatures(trial.user.values, trial.user.rows, names.length);
  const pairs = mapping.pairs.map((p): ColumnPair => {
    const u = sig[names.indexOf(p.user)];
    const l = lw.signatures[lw.names.indexOf(p.island)];
    if (!u || !l) return p;
    const factor = l.std / u.std;
    return { ...p, factor, offset: l.mean - factor * u.mean };
  });
  return { ...mapping, pairs };
}

interface Counts {
  found: number;
  right: number;
  truth: number;
}
const add = (a: Counts, b: Counts) => ({ found: a.found + b.found, right: a.right + b.right, truth: a.truth + b.truth });

interface TrialResult {
  seed: number;
  truePairs: number;
  pairs: Record<string, Counts>;
  accuracy: Record<string, number>;
  ms: Record<string, number>;
  mlpMmd: { raw: [number, number]; standardised: [number, number] };
}

async function runTrial(table: ReturnType<typeof loadPublicTable>, seed: number): Promise<TrialResult> {
  const trial = columnTrial(table, seed);
  const { learnware: L, user: U } = trial;
  const dL = L.names.length;
  const dU = U.names.length;
  const ms: Record<string, number> = {};
  let started = performance.now();
  const model = fitSoftmax(L.values, L.rows, dL, L.labels, table.classes, { seed });
  const { spec } = (await buildTableRkme(backend, L.values, L.rows, dL, { K: 100, scale: 'std', seed, featureNames: L.names })) as { spec: RkmeTableSpec };
  const settings = tableType.islandSettings([spec], { d: dL, features: L.names });
  const signatures = columnsOf.signatures([spec]);
  const columns: MatchColumn[] = L.names.map((name, j) => ({ name, description: L.descriptions[j], signature: signatures[j] }));
  const lw: Learnware = { model, spec, settings, names: L.names, columns, signatures };
  ms.learnware = performance.now() - started;
  const truth = truePairs(trial);

  // the ceiling: every learnware column, in true units
  const full = new Float64Array(U.rows * dL);
  L.columns.forEach((c, j) => U.tableRows.forEach((r, i) => (full[i * dL + j] = table.values[r * table.columns.length + c])));

  // true alignment
  const trueMapping: ColumnMapping = {
    pairs: L.names.flatMap((island, j): ColumnPair[] => {
      const k = U.columns.indexOf(L.columns[j]);
      return k < 0 ? [] : [{ user: U.names[k], island, factor: 1 / U.factor[k], offset: -U.offset[k] / U.factor[k], confidence: 1, source: 'given' }];
    }),
    missing: L.names.filter((_, j) => !U.columns.includes(L.columns[j])),
    ignored: U.names.filter((_, k) => !L.columns.includes(U.columns[k])),
  };

  // ours: names + statistics
  started = performance.now();
  const island = prepareIsland(columns);
  const user = userColumns(tableDataset({ values: U.values, rows: U.rows, cols: dU, featureNames: U.names }));
  const matched = matchColumns(user.columns, island);
  ms.match = performance.now() - started;
  started = performance.now();
  const ours = withUnits(lw, trial, U.names, matched);
  ms.units = performance.now() - started;

  // statistics only: the user's names say nothing
  const blank = U.names.map((_, k) => String(k + 1));
  const blankTruth = new Map([...truth].map(([u, l]) => [String(U.names.indexOf(u) + 1), l]));
  const blankUser = userColumns(tableDataset({ values: U.values, rows: U.rows, cols: dU, featureNames: blank }));
  const statsMatched = matchColumns(blankUser.columns, island);
  const statsUnits = withUnits(lw, trial, blank, statsMatched);
  const statsFitted = fittedToLearnware(lw, trial, blank, statsMatched);

  // the reference-style MLP aligner, on raw reduced sets and on standardised ones
  started = performance.now();
  const { spec: userSpec } = (await buildTableRkme(backend, U.values, U.rows, dU, { K: 100, seed })) as { spec: RkmeTableSpec };
  const align: AlignOptions = { hidden, epochs: 50, lr: 1e-3, gamma: 0.1, seed };
  const raw = trainAligner(userSpec.z, userSpec.beta, userSpec.K, dU, spec.z, spec.beta, spec.K, dL, align);
  const mlpRaw = accuracy(model, forward(raw.mlp, U.values, U.rows), U.rows, U.labels);
  ms.mlp = performance.now() - started;
  const inS = moments(userSpec.z, userSpec.beta, userSpec.K, dU);
  const outS = moments(spec.z, spec.beta, spec.K, dL);
  const std = trainAligner(standardise(userSpec.z, dU, inS), userSpec.beta, userSpec.K, dU, standardise(spec.z, dL, outS), spec.beta, spec.K, dL, align);
  const mlpStd = accuracy(model, unstandardise(forward(std.mlp, standardise(U.values, dU, inS), U.rows), dL, outS), U.rows, U.labels);

  const none: ColumnMapping = { pairs: [], missing: [...L.names], ignored: [...U.names] };
  return {
    seed,
    truePairs: truth.size,
    pairs: {
      ours: scorePairs(matched.pairs, truth),
      oursAfterUnits: scorePairs(ours.pairs, truth),
      stats: scorePairs(statsMatched.pairs, blankTruth),
      statsAfterUnits: scorePairs(statsUnits.pairs, blankTruth),
    },
    accuracy: {
      allColumns: accuracy(model, full, U.rows, U.labels),
      trueFill: mappedAccuracy(lw, trial, U.names, trueMapping),
      trueMean: mappedAccuracy(lw, trial, U.names, trueMapping, 'mean'),
      ours: mappedAccuracy(lw, trial, U.names, ours),
      oursMeanFill: mappedAccuracy(lw, trial, U.names, ours, 'mean'),
      stats: mappedAccuracy(lw, trial, blank, statsUnits),
      statsFitted: mappedAccuracy(lw, trial, blank, statsFitted),
      mlp: mlpRaw,
      mlpStandardised: mlpStd,
      mean: mappedAccuracy(lw, trial, U.names, none, 'mean'),
    },
    ms,
    mlpMmd: { raw: [raw.mmd[0], raw.mmd[raw.mmd.length - 1]], standardised: [std.mmd[0], std.mmd[std.mmd.length - 1]] },
  };
}

// ---------------------------------------------------------------------------------------------

const SETTINGS: [string, string][] = [
  ['allColumns', 'all learnware columns, true units (ceiling)'],
  ['trueFill', '(a) true alignment, missing filled from the spec'],
  ['trueMean', '(a′) true alignment, missing = learnware mean'],
  ['ours', '(b) names + statistics, unit maps, spec fill'],
  ['oursMeanFill', '(b′) same, missing = learnware mean'],
  ['stats', '(c) statistics only, unit maps, spec fill'],
  ['statsFitted', '(c′) statistics only, pairs fitted to the learnware'],
  ['mlp', '(d) reference-style MLP aligner (raw)'],
  ['mlpStandardised', '(d′) MLP aligner, standardised reduced sets'],
  ['mean', '(e) every column = learnware mean'],
];
const PAIRS: [string, string][] = [
  ['ours', 'names + statistics, matching'],
  ['oursAfterUnits', 'names + statistics, after unit maps'],
  ['stats', 'statistics only, matching'],
  ['statsAfterUnits', 'statistics only, after unit maps'],
];

const results: Record<string, unknown> = {};
const lines: string[] = [];
const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
for (const name of TABLES) {
  const table = loadPublicTable(name);
  const runs: TrialResult[] = [];
  const started = performance.now();
  for (let t = 0; t < trials; t++) {
    runs.push(await runTrial(table, trialSeed(name, t)));
    process.stderr.write(`${name} trial ${t + 1}/${trials}\r`);
  }
  const wall = performance.now() - started;
  const pairs = Object.fromEntries(
    PAIRS.map(([key]) => {
      const c = runs.map((r) => r.pairs[key]).reduce(add);
      const perTrial = runs.map((r) => r.pairs[key]);
      return [
        key,
        {
          precision: c.right / Math.max(1, c.found),
          recall: c.right / Math.max(1, c.truth),
          perTrialPrecision: mean(perTrial.map((p) => (p.found ? p.right / p.found : 1))),
          perTrialRecall: mean(perTrial.map((p) => (p.truth ? p.right / p.truth : 1))),
          ...c,
        },
      ];
    }),
  );
  const acc = Object.fromEntries(SETTINGS.map(([key]) => [key, { mean: mean(runs.map((r) => r.accuracy[key])), perTrial: runs.map((r) => Number(r.accuracy[key].toFixed(4))) }]));
  const ms = Object.fromEntries(Object.keys(runs[0].ms).map((k) => [k, Number(mean(runs.map((r) => r.ms[k])).toFixed(2))]));
  results[name] = {
    rows: table.rows,
    columns: table.columns.length,
    trials,
    seeds: runs.map((r) => r.seed),
    meanTruePairs: mean(runs.map((r) => r.truePairs)),
    pairs,
    accuracy: acc,
    msPerTrial: { ...ms, wall: Number((wall / trials).toFixed(1)) },
    mlpMmd: {
      rawFirstLast: [mean(runs.map((r) => r.mlpMmd.raw[0])), mean(runs.map((r) => r.mlpMmd.raw[1]))],
      standardisedFirstLast: [mean(runs.map((r) => r.mlpMmd.standardised[0])), mean(runs.map((r) => r.mlpMmd.standardised[1]))],
    },
  };
  lines.push(`\n${name} (${table.rows} rows, ${table.columns.length} columns, ${trials} trials, ${(wall / trials / 1000).toFixed(2)} s per trial)`);
  for (const [key, label] of PAIRS) {
    const p = pairs[key] as { precision: number; recall: number };
    lines.push(`  pairs ${label.padEnd(48)} precision ${p.precision.toFixed(3)}  recall ${p.recall.toFixed(3)}`);
  }
  for (const [key, label] of SETTINGS) lines.push(`  accuracy ${label.padEnd(54)} ${(acc[key] as { mean: number }).mean.toFixed(3)}`);
  lines.push(`  per trial: learnware ${ms.learnware} ms, match ${ms.match} ms, units ${ms.units} ms, MLP (raw, incl. user spec) ${ms.mlp} ms`);
}
process.stderr.write('\n');

/** The engine measured: `--engine` (a run outside a checkout), else the checkout's commit, marked when src/engine has changes. */
function engineVersion(): string {
  const given = option('engine');
  if (given) return given;
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', 'src/engine'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} + uncommitted src/engine changes` : head;
  } catch {
    return 'unknown';
  }
}

const out = {
  machine: machineInfo(),
  engine: engineVersion(),
  backend: 'ts (Node)',
  quick,
  protocol:
    'per trial: rows split 50/50 (learnware training / user); each side a random 70 % of the columns; user columns shuffled, renamed (tests/shared/public-tables.ts), rescaled (half round unit factors, half arbitrary affine); logistic-regression learnware (fitSoftmax, hidden 0); learnware RKME K 100, scale std; island signatures from the spec',
  mlp: { hidden, epochs: 50, lr: 1e-3, gamma: 0.1, init: 'PyTorch Linear default, U(±1/√fan_in)' },
  reference: {
    wine: { namesStatsPR: [0.882, 0.909], statsPR: [0.328, 0.453], trueAlignment: 0.897, namesStats: 0.848, statsOnly: 0.663, mlp: 0.328, mean: 0.367 },
    breast_cancer: { namesStatsPR: [0.55, 0.668], statsPR: [0.141, 0.188], trueAlignment: 0.945, namesStats: 0.931, statsOnly: 0.913, mlp: 0.427, mean: 0.607 },
  },
  results,
};
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', `columns${quick ? '-quick' : ''}.json`), JSON.stringify(out, null, 2) + '\n');
process.stdout.write(lines.join('\n') + '\n');
