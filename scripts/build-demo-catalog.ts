/**
 * npm run catalog:demo — builds public/catalog/ from real data that the repo or npm packages ship:
 *  - one housing learnware per Texas city (txhousing, 46 cities, in the repo): a ridge regression of
 *    the monthly median sale price on sales, volume, listings, inventory and month, trained on 75 %
 *    of the city's months (those with a median); the other 25 % are held out;
 *  - one flight-delay learnware per origin airport (the 20 busiest in vega-datasets' flights-3m):
 *    a logistic regression of "departure delayed by more than 15 minutes" on hour, weekday, month
 *    and distance; 5,000 flights of 2001 are sampled per airport, 4,000 train it and 1,000 are held out.
 *  - 50 text learnwares on Brown-corpus passages (scripts/build-demo-text.ts, docs/text.md §7): naive
 *    Bayes genre classifiers after the reference's 20-Newsgroups protocol; their island sits next to
 *    the table islands in the same catalog, and the 10 users' passages go to a text holdout
 *    directory (default `<out-dir>-text-holdout`, so public/catalog-text-holdout/). The word-vector
 *    embedder is built first when missing (scripts/build-embedder.ts --if-missing).
 *  - 50 image learnwares on Fashion-MNIST (scripts/build-demo-image.ts, docs/image.md §6): small conv
 *    nets after the reference's image protocol (4 classes in 0.4/0.4/0.1/0.1 each); their island sits
 *    next to the others, and 10 of the 100 users' images go to an image holdout directory (default
 *    `<out-dir>-image-holdout`, so public/catalog-image-holdout/: a zip of PNGs in class folders per user).
 * Every split is drawn with the engine's seeded Prng, seeded by the FNV-1a hash of the city or airport
 * name (scripts/demo-sources.ts, shared with bench/reuse.bench.ts, which draws its flight users from
 * the flights no learnware has seen). Models and specifications see the training rows only.
 * Models are trained here in Node, exported to ONNX, then packed, checked and catalogued by the CLI
 * commands users run (`pack`, `catalog build`).
 * The held-out rows go to a holdout directory (default `<out-dir>-holdout`, so
 * public/catalog-holdout/), for measuring how well search identifies each learnware from new data
 * (tests/shared/identification.ts): one CSV per learnware, `<learnware-id>.csv`, with the training
 * CSV's columns (features, then the label column: `median` or `delayed`), and an index.json:
 *   {"entries": [{"id", "file", "rows", "trainingRows", "labelColumn", "features"}]}
 * (`rows` held out; `trainingRows` is the entry's numPoints in the catalog; `features` is the island's
 * feature list.)
 * Deterministic: the same repository gives the same catalog bytes except creation times, and the
 * same holdout bytes.
 * Usage: tsx scripts/build-demo-catalog.ts [out-dir] [--holdout <dir>] [--text-holdout <dir>] [--image-holdout <dir>] [--if-missing]
 *   --if-missing  do nothing when the three holdouts' index.json exist and <out-dir>/catalog.json is in
 *                 this version's format with a text island and an image island
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATALOG_FORMAT_VERSION, exportDenseOnnx, imputeColumnMeans, parseCsv, Prng, RKME_TEXT_TYPE, solveLinear, type SemanticSpec } from '../src/engine/index.js';
import { main } from '../src/cli/main.js';
import { nodeBackend } from '../src/cli/node-backend.js';
import { buildTextBundles } from './build-demo-text.js';
import { buildImageBundles } from './build-demo-image.js';
import { RKME_IMAGE_TYPE } from '../src/engine/spec/image/types.js';
import { busiestOrigins, type HoldoutEntry, FLIGHT_FEATURES, FLIGHT_LABEL, FLIGHTS_TRAIN, flightRow, flightSample, fnv1a as hash, loadFlights } from './demo-sources.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { out: OUT, holdout: HOLDOUT, textHoldout: TEXT_HOLDOUT, imageHoldout: IMAGE_HOLDOUT, ifMissing } = parseCommandLine(process.argv.slice(2));
if (ifMissing && [HOLDOUT, TEXT_HOLDOUT, IMAGE_HOLDOUT].every((dir) => existsSync(join(dir, 'index.json'))) && currentFormat(join(OUT, 'catalog.json'))) process.exit(0);

/** Whether a catalog index exists in this version's format with the text and image islands (an older one is rebuilt). */
function currentFormat(index: string): boolean {
  try {
    const catalog = JSON.parse(readFileSync(index, 'utf8')) as { formatVersion?: unknown; islands?: { type?: unknown }[] };
    const types = (catalog.islands ?? []).map((island) => island.type);
    return catalog.formatVersion === CATALOG_FORMAT_VERSION && types.includes(RKME_TEXT_TYPE) && types.includes(RKME_IMAGE_TYPE);
  } catch {
    return false;
  }
}
const FEATURES = ['sales', 'volume', 'listings', 'inventory', 'month'];
const TARGET = 'median';
const RIDGE = 1;
/** share of each city's months held out */
const HOUSING_HOLDOUT = 0.25;

/** per learnware: its holdout index entry and the held-out rows as CSV text */
const holdout: { entry: HoldoutEntry; csv: string }[] = [];

const table = parseCsv(readFileSync(join(ROOT, 'public', 'samples', 'txhousing.csv'), 'utf8'));
const column = (name: string) => table.columns.find((c) => c.name === name)!;
const cities = column('city').values as string[];
const work = mkdtempSync(join(tmpdir(), 'lwd-demo-'));
const bundles = join(work, 'bundles');
mkdirSync(bundles);

try {
  const names = [...new Set(cities)].sort();
  for (const city of names) {
    const all = [...cities.keys()].filter((r) => cities[r] === city && Number.isFinite((column(TARGET).values as Float64Array)[r]));
    // hold out 25 % of the city's months, drawn by a Prng seeded with the city's name; both parts keep time order
    const held = new Set(new Prng(hash(city)).sampleWithoutReplacement(all.length, Math.round(all.length * HOUSING_HOLDOUT)));
    const rows = all.filter((_, k) => !held.has(k));
    const heldRows = all.filter((_, k) => held.has(k));
    const slug = city.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const id = `txhousing-${slug}`;
    const toCsv = (part: number[]) =>
      [[...FEATURES, TARGET].join(','), ...part.map((r) => [...FEATURES, TARGET].map((f) => formatCell((column(f).values as Float64Array)[r])).join(','))].join('\n');
    const csvPath = join(work, `${slug}.csv`);
    writeFileSync(csvPath, toCsv(rows));
    holdout.push({ entry: { id, file: `${id}.csv`, rows: heldRows.length, trainingRows: rows.length, labelColumn: TARGET, features: FEATURES }, csv: toCsv(heldRows) });
    const modelPath = join(work, `${slug}.onnx`);
    writeFileSync(modelPath, trainRidge(rows));
    const semanticPath = join(work, `${slug}.semantic.json`);
    writeFileSync(semanticPath, JSON.stringify(semantic(city, rows.length)));
    const code = await main([
      'pack',
      '--model',
      modelPath,
      '--train',
      csvPath,
      '--semantic',
      semanticPath,
      '--label-column',
      TARGET,
      '--id',
      id,
      '--k',
      '30',
      '--out',
      join(bundles, `${slug}.zip`),
      '--quiet',
    ]);
    if (code !== 0) throw new Error(`pack failed for ${city}`);
  }
  await buildFlights();
  // the text specs embed with the word vectors: build them first when missing (as npm start does)
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'scripts', 'build-embedder.ts'), '--if-missing'], { stdio: 'inherit' });
  rmSync(TEXT_HOLDOUT, { recursive: true, force: true });
  const { backend } = await nodeBackend('wasm');
  const text = await buildTextBundles(ROOT, backend, bundles, TEXT_HOLDOUT);
  process.stdout.write(
    `text: 50 learnwares (embedding ${(text.embedMs / 1000).toFixed(1)} s, languages ${(text.languageMs / 1000).toFixed(1)} s, naive Bayes ${(text.trainMs / 1000).toFixed(1)} s, specs ${(text.specMs / 1000).toFixed(1)} s, pack and check ${(text.packMs / 1000).toFixed(1)} s); text holdout ${TEXT_HOLDOUT}\n`,
  );
  const image = await buildImageBundles(backend, bundles, IMAGE_HOLDOUT);
  const s = (ms: number) => (ms / 1000).toFixed(1);
  process.stdout.write(
    `image: 50 learnwares (Fashion-MNIST ${s(image.loadMs)} s, conv features ${s(image.featuresMs)} s, softmax heads ${s(image.trainMs)} s, specs ${s(image.specMs)} s, pack and check ${s(image.packMs)} s, holdout ${s(image.holdoutMs)} s); image holdout ${IMAGE_HOLDOUT}\n`,
  );
  rmSync(OUT, { recursive: true, force: true });
  const code = await main(['catalog', 'build', bundles, '--out', OUT]);
  if (code !== 0) throw new Error('catalog build failed');
  writeHoldout();
} finally {
  rmSync(work, { recursive: true, force: true });
}

async function buildFlights(): Promise<void> {
  const flights = await loadFlights(ROOT);
  for (const [origin, indices] of busiestOrigins(flights)) {
    // 5,000 seeded draws: the first 4,000 (the same flights as the earlier 4,000-flight sample) train, the last 1,000 are held out
    const all = Array.from(flightSample(origin, indices.length), (k) => flightRow(flights[indices[k]]));
    const rows = all.slice(0, FLIGHTS_TRAIN);
    const heldRows = all.slice(FLIGHTS_TRAIN);
    const slug = origin.toLowerCase();
    const id = `flights-${slug}`;
    const toCsv = (part: number[][]) => [[...FLIGHT_FEATURES, FLIGHT_LABEL].join(','), ...part.map((r) => r.join(','))].join('\n');
    const csvPath = join(work, `flights-${slug}.csv`);
    writeFileSync(csvPath, toCsv(rows));
    holdout.push({ entry: { id, file: `${id}.csv`, rows: heldRows.length, trainingRows: rows.length, labelColumn: FLIGHT_LABEL, features: FLIGHT_FEATURES }, csv: toCsv(heldRows) });
    const modelPath = join(work, `flights-${slug}.onnx`);
    writeFileSync(modelPath, trainLogistic(rows));
    const semanticPath = join(work, `flights-${slug}.semantic.json`);
    writeFileSync(semanticPath, JSON.stringify(flightSemantic(origin, rows.length)));
    const code = await main([
      'pack',
      '--model',
      modelPath,
      '--train',
      csvPath,
      '--semantic',
      semanticPath,
      '--label-column',
      FLIGHT_LABEL,
      '--id',
      id,
      '--k',
      '50',
      '--out',
      join(bundles, `flights-${slug}.zip`),
      '--quiet',
    ]);
    if (code !== 0) throw new Error(`pack failed for ${origin}`);
  }
}

/** Replaces the holdout directory: one CSV of held-out rows per learnware and index.json (sorted by id). */
function writeHoldout(): void {
  rmSync(HOLDOUT, { recursive: true, force: true });
  mkdirSync(HOLDOUT, { recursive: true });
  const sorted = [...holdout].sort((a, b) => (a.entry.id < b.entry.id ? -1 : a.entry.id > b.entry.id ? 1 : 0));
  for (const { entry, csv } of sorted) writeFileSync(join(HOLDOUT, entry.file), csv + '\n');
  writeFileSync(join(HOLDOUT, 'index.json'), `{"entries": [\n${sorted.map((h) => '  ' + JSON.stringify(h.entry)).join(',\n')}\n]}\n`);
  process.stdout.write(`holdout ${HOLDOUT}: ${sorted.length} learnwares, ${sorted.reduce((s, h) => s + h.entry.rows, 0)} held-out rows\n`);
}

function parseCommandLine(args: string[]): { out: string; holdout: string; textHoldout: string; imageHoldout: string; ifMissing: boolean } {
  const positional: string[] = [];
  let holdoutDir: string | undefined;
  let textHoldoutDir: string | undefined;
  let imageHoldoutDir: string | undefined;
  let ifMissing = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--if-missing') ifMissing = true;
    else if (a === '--holdout' && i + 1 < args.length) holdoutDir = args[++i];
    else if (a.startsWith('--holdout=')) holdoutDir = a.slice('--holdout='.length);
    else if (a === '--text-holdout' && i + 1 < args.length) textHoldoutDir = args[++i];
    else if (a.startsWith('--text-holdout=')) textHoldoutDir = a.slice('--text-holdout='.length);
    else if (a === '--image-holdout' && i + 1 < args.length) imageHoldoutDir = args[++i];
    else if (a.startsWith('--image-holdout=')) imageHoldoutDir = a.slice('--image-holdout='.length);
    else if (a.startsWith('--') || positional.length > 0) {
      process.stderr.write(`usage: tsx scripts/build-demo-catalog.ts [out-dir] [--holdout <dir>] [--text-holdout <dir>] [--image-holdout <dir>] [--if-missing]; unexpected "${a}"\n`);
      process.exit(2);
    } else positional.push(a);
  }
  const out = resolve(positional[0] ?? join(ROOT, 'public', 'catalog'));
  const holdout = resolve(holdoutDir ?? `${out}-holdout`);
  const textHoldout = resolve(textHoldoutDir ?? `${out}-text-holdout`);
  const imageHoldout = resolve(imageHoldoutDir ?? `${out}-image-holdout`);
  const nested = (a: string, b: string) => a === b || a.startsWith(b + sep) || b.startsWith(a + sep);
  const dirs = [out, holdout, textHoldout, imageHoldout];
  if (dirs.some((a, i) => dirs.slice(i + 1).some((b) => nested(a, b)))) {
    process.stderr.write('the catalog, holdout, text holdout and image holdout directories must lie apart (none inside another): each is replaced as a whole\n');
    process.exit(2);
  }
  return { out, holdout, textHoldout, imageHoldout, ifMissing };
}

/** Logistic regression by Newton's method (IRLS, small ridge) on standardised features; exported as softmax([0, z]). */
function trainLogistic(rows: number[][]): Uint8Array {
  const d = rows[0].length - 1;
  const n = rows.length;
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / n);
  const std = mean.map((m, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j] - m) ** 2, 0) / n) || 1);
  const z = rows.map((r) => [1, ...r.slice(0, d).map((v, j) => (v - mean[j]) / std[j])]);
  const y = rows.map((r) => r[d]);
  let w = new Float64Array(d + 1);
  for (let iteration = 0; iteration < 25; iteration++) {
    const H = Array.from({ length: d + 1 }, () => new Float64Array(d + 1));
    const g = new Float64Array(d + 1);
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-z[i].reduce((s, v, j) => s + v * w[j], 0)));
      for (let j = 0; j <= d; j++) {
        g[j] += (p - y[i]) * z[i][j];
        for (let k = 0; k <= d; k++) H[j][k] += p * (1 - p) * z[i][j] * z[i][k];
      }
    }
    for (let j = 0; j <= d; j++) {
      H[j][j] += 1e-3;
      g[j] += 1e-3 * w[j];
    }
    const step = solveLinear(H, g);
    w = w.map((v, j) => v - step[j]);
  }
  // logit = w0 + Σ w_j (x_j − mean_j)/std_j; class 0 gets logit 0, so softmax gives [1 − p, p]
  const weights = new Float32Array(d * 2);
  let bias = w[0];
  for (let j = 0; j < d; j++) {
    weights[j * 2 + 1] = w[j + 1] / std[j];
    bias -= (w[j + 1] * mean[j]) / std[j];
  }
  return exportDenseOnnx({ layers: [{ inputs: d, outputs: 2, weights, bias: new Float32Array([0, bias]) }], output: 'softmax' });
}

function flightSemantic(origin: string, rows: number): SemanticSpec {
  return {
    Data: { Type: 'Class', Values: ['Table'] },
    Task: { Type: 'Class', Values: ['Classification'] },
    Library: { Type: 'Class', Values: ['Others'] },
    Scenario: { Type: 'Tag', Values: ['Traffic'] },
    License: { Type: 'Class', Values: ['Others'] },
    Name: { Type: 'String', Values: `Flight delays from ${origin}` },
    Description: {
      Type: 'String',
      Values: `Probability that a flight leaving ${origin} departs more than 15 minutes late, from its scheduled hour, weekday, month and distance. Logistic regression on ${rows} flights of 2001 (vega-datasets flights-3m, US DOT on-time data).`,
    },
    Input: { Dimension: 4, Description: { '0': 'scheduled departure hour (0-23, UTC as recorded)', '1': 'day of week (0 = Sunday)', '2': 'month (1-12)', '3': 'distance (miles)' } },
    Output: { Dimension: 2, Description: { '0': 'on time', '1': 'delayed' } },
  };
}

function formatCell(v: number): string {
  return Number.isFinite(v) ? String(v) : 'NA';
}

/** Ridge regression on standardised features, folded back so the model takes raw inputs. */
function trainRidge(rows: number[]): Uint8Array {
  const d = FEATURES.length;
  const n = rows.length;
  const raw = new Float64Array(n * d);
  rows.forEach((r, i) => FEATURES.forEach((f, j) => (raw[i * d + j] = (column(f).values as Float64Array)[r])));
  const { values: x, means } = imputeColumnMeans(raw, n, d);
  const y = rows.map((r) => (column(TARGET).values as Float64Array)[r]);
  const yMean = y.reduce((s, v) => s + v, 0) / n;
  const std = means.map((m, j) => Math.sqrt(rows.reduce((s, _, i) => s + (x[i * d + j] - m) ** 2, 0) / n) || 1);
  // normal equations (ZᵀZ + λI) w = Zᵀ(y − ȳ) on standardised Z
  const A = Array.from({ length: d }, () => new Float64Array(d));
  const b = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const zj = (x[i * d + j] - means[j]) / std[j];
      b[j] += zj * (y[i] - yMean);
      for (let k = 0; k < d; k++) A[j][k] += zj * ((x[i * d + k] - means[k]) / std[k]);
    }
  }
  for (let j = 0; j < d; j++) A[j][j] += RIDGE;
  const w = solveLinear(A, b);
  const weights = new Float32Array(d);
  let bias = yMean;
  for (let j = 0; j < d; j++) {
    weights[j] = w[j] / std[j];
    bias -= (w[j] * means[j]) / std[j];
  }
  return exportDenseOnnx({ layers: [{ inputs: d, outputs: 1, weights, bias: new Float32Array([bias]) }], output: 'identity' });
}

function semantic(city: string, rows: number): SemanticSpec {
  return {
    Data: { Type: 'Class', Values: ['Table'] },
    Task: { Type: 'Class', Values: ['Regression'] },
    Library: { Type: 'Class', Values: ['Others'] },
    Scenario: { Type: 'Tag', Values: ['Business', 'Financial'] },
    License: { Type: 'Class', Values: ['MIT'] },
    Name: { Type: 'String', Values: `Housing prices: ${city}`.slice(0, 50) },
    Description: {
      Type: 'String',
      Values: `Monthly median home sale price in ${city}, Texas, from the month's sales count, sales volume (USD), active listings, months of inventory and calendar month. Ridge regression trained on ${rows} months (2000–2015) of the txhousing data (TAMU Real Estate Center, via ggplot2, MIT).`,
    },
    Input: {
      Dimension: 5,
      Description: { '0': 'number of sales in the month', '1': 'total value of sales (USD)', '2': 'active listings', '3': 'months of inventory', '4': 'calendar month (1-12)' },
    },
    Output: { Dimension: 1, Description: { '0': 'median sale price (USD)' } },
  };
}
