/**
 * The CLI on images (docs/image.md): three tiny nearest-centroid learnwares on real Fashion-MNIST
 * test images of three classes each, packed from folders and a zip of PNGs and catalogued with the
 * CLI; then spec, check, search, reuse and evaluate on a user's folder (and zip) of PNGs in class
 * folders, and the errors.
 *
 * Most commands run in this process (cliInProcess, one call at a time); one stays a real subprocess
 * of bin/learnware-dock.js for what only one proves: a failing command's exit status and its one
 * error line (a truncated PNG). It starts in beforeAll and runs on another core while this process works.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ok, readCsv } from '../helpers/cli.js';
import { cliInProcess } from '../helpers/cli-in-process.js';
import { centroidModel, FASHION_CLASSES, fashionTest, imageFiles, imageSemantic, pick, writeFiles, zipFiles, type FashionImages } from '../helpers/images.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** each learnware's classes (Fashion-MNIST labels) and how its training images are given */
const LEARNWARES = [
  { id: 'fm-tops', classes: [0, 1, 2], train: 'folder' },
  { id: 'fm-shoes', classes: [5, 7, 9], train: 'zip' },
  { id: 'fm-mixed', classes: [3, 8, 6], train: 'folder' },
] as const;
const TRAIN_PER_CLASS = 20;
const USER_PER_CLASS = 8;
const USER_IMAGES = 3 * USER_PER_CLASS;

let dir: string;
let catalog: string;
let data: FashionImages;
/** the user's images (fm-tops' classes, other images than its training ones): the files, a folder (plus one non-image file) and a zip */
let userFiles: [string, Uint8Array][];
let userIndices: number[];
const user = { folder: '', zip: '' };
let truncated: Promise<{ code: number; stderr: string }>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lwd-cli-image-'));
  data = fashionTest();
  // the failing command first, in a subprocess, so it overlaps the packing below: a PNG cut in half inside a folder
  const broken = join(dir, 'broken');
  const good = imageFiles(data, pick(data, [0], 3, 100));
  writeFiles(broken, good);
  const half = good[1][1];
  writeFileSync(join(broken, 't-shirt', 'cut.png'), half.subarray(0, Math.floor(half.length / 2)));
  truncated = run(process.execPath, [join(ROOT, 'bin', 'learnware-dock.js'), 'spec', broken, '--quiet']).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code: number; stderr: string }) => error,
  );

  const bundles = join(dir, 'bundles');
  mkdirSync(bundles);
  for (const lw of LEARNWARES) {
    const own = join(dir, lw.id);
    mkdirSync(own);
    const indices = pick(data, lw.classes, TRAIN_PER_CLASS);
    const classes = lw.classes.map((c) => FASHION_CLASSES[c]);
    writeFileSync(join(own, 'model.onnx'), centroidModel(data, indices, lw.classes));
    writeFileSync(join(own, 'semantic.json'), imageSemantic(lw.id, classes));
    const files = imageFiles(data, indices);
    let train = join(own, 'train');
    if (lw.train === 'zip') {
      train = join(own, 'train.zip');
      writeFileSync(train, zipFiles(files, 'train'));
    } else writeFiles(train, files);
    const args = ['--model', join(own, 'model.onnx'), '--train', train, '--semantic', join(own, 'semantic.json'), '--id', lw.id, '--k', '10', '--quiet'];
    const packed = ok(await cliInProcess('pack', ...args, '--out', join(bundles, `${lw.id}.zip`)));
    expect(packed.stdout).toMatch(new RegExp(`^USABLE ${lw.id} sha256=[0-9a-f]{64} \\d+ bytes -> `));
  }
  catalog = join(dir, 'catalog');
  ok(await cliInProcess('catalog', 'build', bundles, '--out', catalog));

  userIndices = pick(data, LEARNWARES[0].classes, USER_PER_CLASS, TRAIN_PER_CLASS + 10);
  userFiles = imageFiles(data, userIndices);
  user.folder = join(dir, 'user');
  writeFiles(user.folder, userFiles);
  writeFileSync(join(user.folder, 'notes.txt'), 'where these photos come from\n');
  user.zip = join(dir, 'user.zip');
  writeFileSync(user.zip, zipFiles(userFiles, 'user'));
});

describe('learnware-dock CLI on images', () => {
  it('builds the same image spec from a folder and from a zip, and notes the non-image file it skips', async () => {
    const folder = await cliInProcess('spec', user.folder, '--k', '8', '--seed', '2', '--out', join(dir, 'spec-folder.json'));
    expect(folder.code, folder.stderr).toBe(0);
    expect(folder.stdout).toMatch(new RegExp(`^spec: images n=${USER_IMAGES} channels=1 K=8 gamma=\\d+(\\.\\d+)? network=conv3-16-32-64@1 `));
    expect(folder.stderr).toMatch(new RegExp(`images: ${USER_IMAGES} from .*user \\(grey, 28×28, 3 classes\\)`));
    expect(folder.stderr).toMatch(/note: 1 file of .*user is not \.png\/\.jpg\/\.jpeg and left out: notes\.txt/);
    const zip = await cliInProcess('spec', user.zip, '--k', '8', '--seed', '2', '--out', join(dir, 'spec-zip.json'));
    expect(zip.code, zip.stderr).toBe(0);
    expect(zip.stderr).not.toMatch(/note:/);
    const spec = readFileSync(join(dir, 'spec-folder.json'), 'utf8');
    expect(readFileSync(join(dir, 'spec-zip.json'), 'utf8')).toBe(spec);
    const parsed = JSON.parse(spec);
    expect(parsed.type).toBe('RKMEImageSpecification');
    expect(parsed.z).toHaveLength(8);
    expect(parsed.z[0]).toHaveLength(1); // channels
    expect(parsed.z[0][0]).toHaveLength(32);
    expect(parsed.num_points).toBe(USER_IMAGES);

    // one image file is an input too
    const one = await cliInProcess('spec', join(user.folder, 'trouser', '008.png'), '--quiet');
    expect(one.code, one.stderr).toBe(0);
    expect(one.stderr).toMatch(/^spec: images n=1 channels=1 K=1 \(asked 50\)/m);
    expect(JSON.parse(one.stdout).type).toBe('RKMEImageSpecification');
  });

  it('a bundle packed from images is USABLE on check', async () => {
    const check = await cliInProcess('check', join(dir, 'bundles', 'fm-tops.zip'));
    expect(check.code, check.stdout).toBe(0);
    expect(check.stdout).toMatch(/^USABLE fm-tops sha256=/);
  });

  it('search --json has the table search’s shape and ranks the learnware of the user’s classes first', async () => {
    const search = await cliInProcess('search', '--catalog', catalog, '--data', user.zip, '--json');
    expect(search.code, search.stderr).toBe(0);
    const output = JSON.parse(search.stdout);
    expect(Object.keys(output).sort()).toEqual(['islands', 'skipped']);
    expect(output.skipped).toEqual([]);
    expect(output.islands).toHaveLength(1);
    const island = output.islands[0];
    for (const key of ['island', 'features', 'singles', 'mixture', 'recommended', 'warnings']) expect(island).toHaveProperty(key);
    expect(island).not.toHaveProperty('picture');
    expect(island.features).toHaveLength(256);
    expect(island.features[0]).toBe('conv3-16-32-64@1:c1:0');
    expect(island.singles.map((s: { id: string }) => s.id).sort()).toEqual(['fm-mixed', 'fm-shoes', 'fm-tops']);
    for (const s of island.singles) expect(Object.keys(s)).toEqual(expect.arrayContaining(['id', 'name', 'mmd2', 'score', 'rank']));
    expect(island.singles[0].id).toBe('fm-tops');
    expect(island.singles[0].mmd2).toBeLessThan(island.singles[1].mmd2);

    const people = await cliInProcess('search', '--catalog', catalog, '--data', user.folder);
    expect(people.code, people.stderr).toBe(0);
    expect(people.stdout).toMatch(/^island .*: images \(grey\) through the feature network conv3-16-32-64@1 \(256 features\)$/m);
    expect(people.stdout).toMatch(/^1 {4}fm-tops /m);
  });

  it('reuse writes one row per image in sorted path order: file, prediction, one probability column per class', async () => {
    const out = join(dir, 'p.csv');
    const reuse = await cliInProcess('reuse', '--catalog', catalog, '--data', user.folder, '--learnwares', 'fm-tops', '--method', 'single', '--out', out);
    expect(reuse.code, reuse.stderr).toBe(0);
    expect(reuse.stdout).toMatch(new RegExp(`${USER_IMAGES} images predicted`));
    const rows = readCsv(out);
    expect(rows[0]).toEqual(['file', 'prediction', 'p(t-shirt)', 'p(trouser)', 'p(pullover)']);
    const paths = userFiles.map(([p]) => p).sort();
    expect(rows.slice(1).map((r) => r[0])).toEqual(paths);
    for (const r of rows.slice(1)) {
      expect(['t-shirt', 'trouser', 'pullover']).toContain(r[1]);
      expect(Number(r[2]) + Number(r[3]) + Number(r[4])).toBeCloseTo(1, 4);
    }
    // the folder is the true class
    const correct = rows.slice(1).filter((r) => r[0].startsWith(`${r[1]}/`)).length;
    expect(correct / USER_IMAGES).toBeGreaterThan(0.7);

    // the search's choice (its recommended mixture, averaged), from the zip: the paths inside it
    const chosen = join(dir, 'p-zip.csv');
    const composite = join(dir, 'composite.zip');
    const average = await cliInProcess('reuse', '--catalog', catalog, '--data', user.zip, '--method', 'average', '--out', chosen, '--save', composite);
    expect(average.code, average.stderr).toBe(0);
    expect(average.stdout).toMatch(/^average: fm-tops /);
    const zipRows = readCsv(chosen);
    expect(zipRows[0].slice(0, 2)).toEqual(['file', 'prediction']);
    expect(zipRows.slice(1).map((r) => r[0])).toEqual(paths.map((p) => `user/${p}`));

    // the saved composite predicts the folder's images the same
    const again = join(dir, 'p-again.csv');
    const predict = await cliInProcess('predict', composite, '--data', user.folder, '--out', again);
    expect(predict.code, predict.stderr).toBe(0);
    expect(predict.stdout).toMatch(new RegExp(`${USER_IMAGES} images predicted`));
    const againRows = readCsv(again);
    expect(againRows[0]).toEqual(zipRows[0]);
    expect(againRows.slice(1).map((r) => r[0])).toEqual(paths);
    expect(againRows.slice(1).map((r) => r.slice(1))).toEqual(zipRows.slice(1).map((r) => r.slice(1)));
  });

  it('evaluate on class folders prints each method’s error rate on the images', async () => {
    const evaluate = await cliInProcess('evaluate', '--catalog', catalog, '--data', user.folder, '--learnwares', 'fm-tops', '--labelled', '6');
    expect(evaluate.code, evaluate.stderr).toBe(0);
    expect(evaluate.stdout).toMatch(/^learnwares: fm-tops$/m);
    expect(evaluate.stdout).toMatch(/labelled images for the methods that learn, \d+ test images; error rate on the test images:/);
    expect(evaluate.stdout).toMatch(/Labelled images used: \d+ of the \d+ images of yours that have a label/);
    expect(evaluate.stdout).not.toMatch(/\brows?\b|table/);
    const single = /^ {2}single\s+(\d+(?:\.\d)?) %/m.exec(evaluate.stdout);
    expect(single, evaluate.stdout).not.toBeNull();
    expect(Number(single![1])).toBeLessThan(30);
    expect(evaluate.stdout).toMatch(/^ {2}baseline /m);

    // no class folders: no labels
    const flat = join(dir, 'flat');
    writeFiles(flat, imageFiles(data, userIndices.slice(0, 5), false));
    const none = await cliInProcess('evaluate', '--catalog', catalog, '--data', flat, '--learnwares', 'fm-tops');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/error\[NO_LABELS\]: the images of .*flat have no labels/);
  });

  it('refuses a table-only option with images (USAGE), and keeps a folder of .txt files as texts', async () => {
    const drop = await cliInProcess('spec', user.folder, '--drop-columns', 'a');
    expect(drop.code).toBe(2);
    expect(drop.stderr).toMatch(/^error\[USAGE\]: --drop-columns applies to tables or texts, not to images/);
    const label = await cliInProcess('search', '--catalog', catalog, '--data', user.folder, '--label-column', 'y');
    expect(label.code).toBe(2);
    expect(label.stderr).toMatch(/^error\[USAGE\]: --label-column applies to tables or texts, not to images/);
    // one PNG among .txt files: texts (they name their missing word vectors, or are read, but never as images)
    const texts = join(dir, 'texts');
    mkdirSync(texts);
    writeFileSync(join(texts, 'a.txt'), 'one text');
    writeFileSync(join(texts, 'b.txt'), 'another text');
    copyFileSync(join(user.folder, 'pullover', '016.png'), join(texts, 'c.png'));
    const asTexts = await cliInProcess('spec', texts, '--k', '1', '--quiet');
    expect(asTexts.stderr).not.toMatch(/images:/);
  });

  it('a truncated PNG: exit status 1 and one error line naming the file (a subprocess)', async () => {
    const result = await truncated;
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^error\[[A-Z_]+\]: .*t-shirt\/cut\.png/);
  });
});
