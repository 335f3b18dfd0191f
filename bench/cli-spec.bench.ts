/**
 * npx tsx bench/cli-spec.bench.ts — the whole `learnware-dock spec` process on a 100k × 50 CSV against the
 * reference package's table spec on the same file in the same run (issue 18). The reference package cannot be
 * installed here, so the stand-in is bench/reference/rkme_table.py, our port of its documented algorithm on
 * Debian's torch (docs/reference-port.md; scripts/ensure-reference-python.sh installs it).
 *
 * Writes a seeded Gaussian mixture (20 clusters, data seed 1, as bench/spec.bench.ts) as a CSV with 6 decimals
 * under a temporary folder, then times, as wall clock of the whole spawned process, alternately and `--repeats`
 * times each (median reported):
 *   ours       node bin/learnware-dock.js spec <csv> --out <f> --quiet [extra flags]
 *   reference  /usr/bin/python3 bench/reference/rkme_table.py <csv> --out <f>
 * plus both programs' bare start-up (`spec --help`; `import numpy, torch`). Both specs are scored on the same
 * footing: squared MMD to the rows read back from the CSV (raw units, γ of the spec), one data self-term for both
 * (exact up to 10k rows, else a U-statistic on 10k sampled rows), so their difference is exact.
 *
 * Options: --rows N (default 100,000; fewer rows is a quick run: writes cli-spec-quick.json, not committed),
 * --repeats R (default 3), --python PATH, --ref-threads N, --qp cvxopt|slsqp (the port's QP solver), --keep
 * (keep the CSV and specs), --print (reprint the last results). Every other argument, and everything after `--`,
 * is passed to `learnware-dock spec`, e.g. `--threads 2` or `--backend ts`.
 * Writes bench/results/cli-spec.json (or cli-spec-quick.json) and prints a table.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTableSpec, resolveBackend, squaredMmdToData, type BackendName, type ComputeBackend, type RkmeTableSpec } from '../src/engine/index.js';
import { NODE_WASM_PATHS } from '../src/cli/node-backend.js';
import { gaussianMixture } from '../tests/shared/synthetic.js';
import { machineInfo } from './machine.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FULL_ROWS = 100_000;
const D = 50;
const CLUSTERS = 20;
const SEED = 1;
const DECIMALS = 6;
const EXACT_SELF_TERM_ROWS = 10_000;
const TARGET_RATIO = 0.2;

/** the bench's own options (with the number of values each takes); everything else goes to the CLI */
const OWN: Record<string, number> = { rows: 1, repeats: 1, python: 1, 'ref-threads': 1, qp: 1, keep: 0, print: 0 };
function parseArgs(argv: string[]): { own: Map<string, string>; cli: string[] } {
  const own = new Map<string, string>();
  const cli: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      cli.push(...argv.slice(i + 1));
      break;
    }
    const name = arg.startsWith('--') ? arg.slice(2) : '';
    if (name in OWN) {
      own.set(name, OWN[name] ? (argv[++i] ?? '') : 'true');
    } else cli.push(arg);
  }
  return { own, cli };
}

const { own, cli: cliFlags } = parseArgs(process.argv.slice(2));
const rows = Number(own.get('rows') ?? FULL_ROWS);
const repeats = Number(own.get('repeats') ?? 3);
const python = own.get('python') ?? '/usr/bin/python3';
/**
 * torch thread counts the port runs with; the faster is the ratio's denominator. Both by default: all cores is
 * upstream torch's default, but OpenMP's spinning threads lose badly when another process holds a core.
 */
const refThreads = own.has('ref-threads') ? own.get('ref-threads')!.split(',').map(Number) : [...new Set([availableParallelism(), 1])];
if (!Number.isInteger(rows) || rows < 2 || !Number.isInteger(repeats) || repeats < 1) throw new Error('--rows needs an integer ≥ 2 and --repeats one ≥ 1');
if (!refThreads.every((t) => Number.isInteger(t) && t >= 1)) throw new Error('--ref-threads needs thread counts ≥ 1, e.g. 2 or 2,1');
/** a run on fewer rows never overwrites the full results (bench/results/*-quick* is not committed) */
const quick = rows < FULL_ROWS;
const RESULTS = join(ROOT, 'bench', 'results', quick ? 'cli-spec-quick.json' : 'cli-spec.json');

interface Run {
  seconds: number;
  /** the port's own timings (its stdout), reference runs only */
  timings?: Record<string, number | string>;
}

interface Side {
  command: string;
  runs: Run[];
  medianSeconds: number;
  startupSeconds: number;
  /** squared MMD to the CSV's rows; the data self-term is estimated above 10k rows (same value for both sides) */
  mmd2: number;
  /** MMD² − data self-term = βᵀKβ − 2βᵀc: exact, orders the two specs */
  objective: number;
  K: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs a command to completion; its wall clock from spawn to exit, and what it printed. */
function timed(command: string, args: string[]): Promise<{ seconds: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${stderr}`));
      else resolve({ seconds, stdout, stderr });
    });
  });
}

/** The CSV text and the values exactly as a reader of the CSV sees them (rounded to DECIMALS). */
function writeCsv(path: string, n: number, d: number): Float64Array {
  const x = gaussianMixture(n, d, CLUSTERS, SEED);
  const parsed = new Float64Array(n * d);
  const lines: string[] = [Array.from({ length: d }, (_, f) => `f${f}`).join(',')];
  const cells: string[] = new Array(d);
  for (let l = 0; l < n; l++) {
    for (let f = 0; f < d; f++) {
      const text = x[l * d + f].toFixed(DECIMALS);
      cells[f] = text;
      parsed[l * d + f] = Number(text);
    }
    lines.push(cells.join(','));
  }
  writeFileSync(path, lines.join('\n') + '\n');
  return parsed;
}

async function main(): Promise<void> {
  const ensure = spawnSync('bash', [join(ROOT, 'scripts', 'ensure-reference-python.sh')], { stdio: 'inherit', env: { ...process.env, REFERENCE_PYTHON: python } });
  if (ensure.status !== 0) throw new Error('the reference port needs torch, numpy, scipy and cvxopt for ' + python);

  const dir = mkdtempSync(join(tmpdir(), 'cli-spec-'));
  try {
    const csv = join(dir, `mixture-${rows}x${D}.csv`);
    process.stderr.write(`writing ${rows} × ${D} CSV to ${csv} ... `);
    const x = writeCsv(csv, rows, D);
    const csvBytes = statSync(csv).size;
    process.stderr.write(`${(csvBytes / 1e6).toFixed(1)} MB\n`);

    const oursOut = join(dir, 'ours.json');
    const refOut = (threads: number) => join(dir, `reference-${threads}.json`);
    const oursArgs = [join(ROOT, 'bin', 'learnware-dock.js'), 'spec', csv, '--out', oursOut, '--quiet', ...cliFlags];
    const refArgs = (threads: number) => [
      join(ROOT, 'bench', 'reference', 'rkme_table.py'),
      csv,
      '--out',
      refOut(threads),
      '--threads',
      String(threads),
      ...(own.has('qp') ? ['--qp', own.get('qp')!] : []),
    ];

    const load = { before: loadavg(), after: [] as number[] };
    const gitBefore = gitState();
    const ours: Run[] = [];
    const reference = new Map<number, Run[]>(refThreads.map((t) => [t, []]));
    const oursStartup: number[] = [];
    const refStartup: number[] = [];
    for (let r = 0; r < repeats; r++) {
      // alternate the programs so that a change in the machine's load hits all of them
      const a = await timed(process.execPath, oursArgs);
      ours.push({ seconds: a.seconds });
      process.stderr.write(`ours                  run ${r + 1}/${repeats}: ${a.seconds.toFixed(2)} s\n`);
      for (const threads of refThreads) {
        const b = await timed(python, refArgs(threads));
        const timings = JSON.parse(b.stdout.trim().split('\n').at(-1)!) as Record<string, number | string>;
        reference.get(threads)!.push({ seconds: b.seconds, timings });
        process.stderr.write(
          `reference, ${threads} thread${threads > 1 ? 's' : ' '} run ${r + 1}/${repeats}: ${b.seconds.toFixed(2)} s ` +
            `(read ${Number(timings.read_s).toFixed(2)} s, spec ${Number(timings.spec_s).toFixed(2)} s, k-means ${timings.kmeans_iterations} iterations)\n`,
        );
      }
      oursStartup.push((await timed(process.execPath, [join(ROOT, 'bin', 'learnware-dock.js'), 'spec', '--help'])).seconds);
      refStartup.push((await timed(python, ['-c', 'import numpy, torch'])).seconds);
    }
    load.after = loadavg();

    process.stderr.write('scoring the specs against the CSV rows ...\n');
    const specs = [parseTableSpec(readFileSync(oursOut, 'utf8')), ...refThreads.map((t) => parseTableSpec(readFileSync(refOut(t), 'utf8')))];
    const scores = await score(specs, x, rows, D);

    const relativeArgs = (args: string[]) => args.map((arg) => arg.replace(ROOT, '').replace(dir, '$TMP')).join(' ');
    const side = (command: string, runs: Run[], startup: number[], spec: RkmeTableSpec, s: (typeof scores)[number]): Side => ({
      command,
      runs,
      medianSeconds: median(runs.map((run) => run.seconds)),
      startupSeconds: median(startup),
      mmd2: s.mmd2,
      objective: s.objective,
      K: spec.K,
    });
    const oursSide = side(`node ${relativeArgs(oursArgs)}`, ours, oursStartup, specs[0], scores[0]);
    const refSides = refThreads.map((threads, i) => {
      const runs = reference.get(threads)!;
      const timings = runs.map((run) => run.timings!);
      const medianOf = (key: string) => median(timings.map((t) => Number(t[key])));
      return {
        threads,
        ...side(`${python} ${relativeArgs(refArgs(threads))}`, runs, refStartup, specs[i + 1], scores[i + 1]),
        medianTimings: {
          importSeconds: medianOf('import_s'),
          readSeconds: medianOf('read_s'),
          specSeconds: medianOf('spec_s'),
          kmeansSeconds: medianOf('kmeans_s'),
          betaSeconds: medianOf('beta_s'),
          zStepSeconds: medianOf('z_s'),
          writeSeconds: medianOf('write_s'),
        },
        kmeansIterations: timings.map((t) => t.kmeans_iterations),
        /** the port's own QP objective ½βᵀKβ − cᵀβ on its float32 rows: about half of `objective` */
        qpObjective: Number(timings.at(-1)!.objective),
      };
    });
    // the denominator is the reference at its faster thread setting: a ratio that does not profit from a bad one
    const best = refSides.reduce((a, b) => (b.medianSeconds < a.medianSeconds ? b : a));
    const first = reference.get(refThreads[0])![0].timings!;

    const result = {
      benchmark: 'cli-spec',
      issue: 18,
      machine: { ...machineInfo(), loadAverage: load },
      git: { before: gitBefore, after: gitState() },
      settings: {
        rows,
        d: D,
        clusters: CLUSTERS,
        dataSeed: SEED,
        csvDecimals: DECIMALS,
        csvMB: csvBytes / 1e6,
        repeats,
        cliFlags,
        K: 100,
        gamma: 0.1,
        steps: 3,
        mmdDataTerm: `exact for n <= ${EXACT_SELF_TERM_ROWS}, else a U-statistic on ${EXACT_SELF_TERM_ROWS} sampled rows (one value for all specs)`,
      },
      reference: {
        port: 'bench/reference/rkme_table.py (docs/reference-port.md)',
        python,
        torch: first.torch,
        numpy: first.numpy,
        torchDefaultThreads: first.torch_default_threads,
        qp: first.qp,
        threadSettings: refThreads,
        bestThreads: best.threads,
      },
      ours: oursSide,
      referenceRuns: refSides,
      ratio: oursSide.medianSeconds / best.medianSeconds,
      target: TARGET_RATIO,
    };
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(RESULTS, JSON.stringify(result, null, 2) + '\n');
    printTable(result);
    if (own.has('keep')) process.stderr.write(`kept ${dir}\n`);
  } finally {
    if (!own.has('keep')) rmSync(dir, { recursive: true, force: true });
  }
}

/** The commit the CLI ran from, and whether the engine or CLI sources differed from it (others may be editing them). */
function gitState(): { commit: string; dirtyPaths: string[] } {
  const git = (args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout ?? '';
  const dirtyPaths = git(['status', '--porcelain', '--', 'src', 'workers', 'bin', 'bench/reference']).split('\n').filter(Boolean);
  return { commit: git(['rev-parse', 'HEAD']).trim(), dirtyPaths };
}

/** Squared MMD of each spec to the rows: spec terms in Float64 on the plain-TS backend, one data self-term for all. */
async function score(specs: RkmeTableSpec[], x: Float64Array, n: number, d: number): Promise<{ mmd2: number; objective: number; exact: boolean }[]> {
  const backend = async (name: BackendName): Promise<ComputeBackend> => (await resolveBackend({ preference: [name], wasmPaths: NODE_WASM_PATHS })).backend;
  const first = await squaredMmdToData(await backend(n <= EXACT_SELF_TERM_ROWS ? 'ts' : 'wasm'), specs[0], x, n, d, { exactSelfTermRows: EXACT_SELF_TERM_ROWS, seed: 7 });
  const knownDataTerm = { value: first.dataTerm, exact: first.dataTermExact };
  const ts = await backend('ts');
  const out = [];
  for (const spec of specs) {
    const r = await squaredMmdToData(ts, spec, x, n, d, { knownDataTerm });
    out.push({ mmd2: r.value, objective: r.withoutDataTerm, exact: r.dataTermExact });
  }
  return out;
}

interface Printed {
  settings: { rows: number; d: number; cliFlags: string[]; repeats: number };
  ours: Side;
  referenceRuns: (Side & { threads: number; medianTimings: Record<string, number> })[];
  reference: { torch: unknown; qp: unknown; bestThreads: number };
  ratio: number;
  target: number;
}

function printTable(result: Printed): void {
  const { ours, referenceRuns, reference, settings } = result;
  const header = ['program', 'whole process (median s)', 'runs (s)', 'start-up (s)', 'K', 'MMD²(spec, data)', 'βᵀKβ − 2βᵀc'];
  const line = (name: string, s: Side) => [
    name,
    s.medianSeconds.toFixed(2),
    s.runs.map((r) => r.seconds.toFixed(2)).join(' '),
    s.startupSeconds.toFixed(2),
    String(s.K),
    s.mmd2.toExponential(4),
    s.objective.toExponential(6),
  ];
  const lines = [
    line(`ours ${settings.cliFlags.join(' ')}`.trim(), ours),
    ...referenceRuns.map((r) => line(`reference port, torch ${reference.torch}, ${r.threads} thread${r.threads > 1 ? 's' : ''}, ${reference.qp}`, r)),
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cols: string[]) => `| ${cols.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(`learnware-dock spec vs the reference port, ${settings.rows} × ${settings.d} CSV, ${settings.repeats} runs each`);
  console.log(fmt(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(fmt(l));
  for (const r of referenceRuns) {
    const t = r.medianTimings;
    console.log(
      `reference port, ${r.threads} thread${r.threads > 1 ? 's' : ''}, inside the process (median s): import ${t.importSeconds.toFixed(2)}, CSV read ${t.readSeconds.toFixed(2)}, ` +
        `spec ${t.specSeconds.toFixed(2)} (k-means ${t.kmeansSeconds.toFixed(2)}, β fits ${t.betaSeconds.toFixed(2)}, Z steps ${t.zStepSeconds.toFixed(2)}), write ${t.writeSeconds.toFixed(2)}`,
    );
  }
  const best = referenceRuns.find((r) => r.threads === reference.bestThreads)!;
  console.log(
    `ratio ours / reference (${best.threads} thread${best.threads > 1 ? 's' : ''}, the faster) = ${result.ratio.toFixed(3)} (target ≤ ${result.target}); ` +
      `ΔMMD² ours − reference = ${(ours.objective - best.objective).toExponential(3)} (exact)`,
  );
}

if (own.has('print')) {
  printTable(JSON.parse(readFileSync(RESULTS, 'utf8')) as Printed);
} else {
  await main();
}
