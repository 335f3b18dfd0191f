/**
 * The bundle and catalog commands, end to end through the CLI. They run in this process (cliInProcess:
 * main() with its output captured, one call at a time), except the refused pack: a real subprocess of
 * bin/learnware-dock.js, for the bin's exit status.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { checkBundle, exportDenseOnnx, readZip, writeZip, type CatalogIndex } from '../../src/engine/index.js';
import { denseModel, semanticSpec } from '../helpers/bundles.js';
import { cli } from '../helpers/cli.js';
import { cliInProcess } from '../helpers/cli-in-process.js';
import { gaussianMixture } from '../shared/synthetic.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lwd-bundles-'));
  const n = 300;
  const x = gaussianMixture(n, 3, 2, 9);
  const lines = ['temperature,pressure,humidity,station,rain'];
  for (let r = 0; r < n; r++) lines.push(`${x[r * 3]},${x[r * 3 + 1]},${x[r * 3 + 2]},s${r % 7},${x[r * 3] > 0 ? 1 : 0}`);
  writeFileSync(join(dir, 'train.csv'), lines.join('\n'));
  writeFileSync(join(dir, 'model.onnx'), denseModel());
  writeFileSync(join(dir, 'semantic.json'), JSON.stringify(semanticSpec()));
});

describe('learnware-dock pack / check / catalog', () => {
  it('packs a USABLE bundle from a model, training data and a semantic file, then checks it', async () => {
    const out = join(dir, 'weather.zip');
    const packed = await cliInProcess(
      'pack',
      '--model',
      join(dir, 'model.onnx'),
      '--train',
      join(dir, 'train.csv'),
      '--semantic',
      join(dir, 'semantic.json'),
      '--label-column',
      'rain',
      '--drop-columns',
      'station',
      '--out',
      out,
      '--quiet',
    );
    expect(packed.stderr).toBe('');
    expect(packed.code).toBe(0);
    expect(packed.stdout).toMatch(/^USABLE weather-classifier sha256=[0-9a-f]{64} \d+ bytes/);
    const manifest = JSON.parse(new TextDecoder().decode(readZip(readFileSync(out)).get('learnware.json')!));
    expect(manifest.model.input.features).toEqual(['temperature', 'pressure', 'humidity']);
    expect(manifest.model.output).toMatchObject({ kind: 'probabilities', classes: ['rain', 'sun'] });
    const checked = await cliInProcess('check', out);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toMatch(/^USABLE weather-classifier/);
    // every check that passed is listed, not only the verdict
    expect(checked.stdout).toMatch(/ok: every file matches its size and SHA-256/);
    expect(checked.stdout).toMatch(/ok: the model ran on 48 rows/);
  });

  it('refuses to write a bundle that is not usable, printing every reason', async () => {
    writeFileSync(join(dir, 'sigmoid.onnx'), denseModel('sigmoid', 2));
    const out = join(dir, 'bad.zip');
    // three refusals, none of which writes a file: the first a real subprocess, started first to run on another core;
    // the other two in this process, in turn
    const packedRun = cli(
      'pack',
      '--model',
      join(dir, 'sigmoid.onnx'),
      '--train',
      join(dir, 'train.csv'),
      '--semantic',
      join(dir, 'semantic.json'),
      '--label-column',
      'rain',
      '--drop-columns',
      'station',
      '--out',
      out,
      '--quiet',
    );
    const noLabel = await cliInProcess('pack', '--model', join(dir, 'model.onnx'), '--train', join(dir, 'train.csv'), '--semantic', join(dir, 'semantic.json'), '--out', out);
    const missing = await cliInProcess('pack', '--model', join(dir, 'model.onnx'), '--out', out);
    const packed = await packedRun;
    expect(packed.code).toBe(1);
    expect(packed.stdout).toMatch(/PROBABILITY_SUM/);
    expect(packed.stderr).toMatch(/^error\[NOT_USABLE\]: the bundle is NONUSABLE/);
    expect(noLabel.code).toBe(1);
    expect(noLabel.stderr).toMatch(/^error\[NON_NUMERIC_COLUMN\]: column "station"/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/pack needs --train/);
    expect(existsSync(out)).toBe(false);
  });

  it('check exits 1 on a tampered bundle and names the file', async () => {
    const files = readZip(readFileSync(join(dir, 'weather.zip')));
    files.set('model.onnx', denseModel('softmax', 2, 5));
    writeFileSync(join(dir, 'tampered.zip'), writeZip(files));
    const checked = await cliInProcess('check', join(dir, 'tampered.zip'));
    expect(checked.code).toBe(1);
    expect(checked.stdout).toMatch(/^INVALID/);
    expect(checked.stdout).toMatch(/HASH_MISMATCH \(files\.model\.onnx\.sha256\)/);
  });

  it('builds a catalog, adds to it, and leaves it unchanged when an add fails', async () => {
    const bundles = join(dir, 'catalog-in');
    mkdirSync(bundles);
    writeFileSync(join(bundles, 'weather.zip'), readFileSync(join(dir, 'weather.zip')));
    const catalog = join(dir, 'catalog');

    // a second learnware on other features, packed while the catalog is built
    writeFileSync(join(dir, 'train2.csv'), 'a,b\n' + Array.from({ length: 200 }, (_, i) => `${Math.sin(i)},${Math.cos(i)}`).join('\n'));
    writeFileSync(
      join(dir, 'model2.onnx'),
      exportDenseOnnx({ layers: [{ inputs: 2, outputs: 1, weights: new Float32Array([1, 2]), bias: new Float32Array([0]) }], output: 'identity' }),
    );
    writeFileSync(
      join(dir, 'semantic2.json'),
      JSON.stringify(
        semanticSpec({
          Task: { Type: 'Class', Values: ['Regression'] },
          Name: { Type: 'String', Values: 'wave regressor' },
          Input: { Dimension: 2, Description: {} },
          Output: { Dimension: 1, Description: {} },
        }),
      ),
    );
    const second = join(dir, 'wave.zip');
    const built = await cliInProcess('catalog', 'build', bundles, '--out', catalog);
    const packed = await cliInProcess(
      'pack',
      '--model',
      join(dir, 'model2.onnx'),
      '--train',
      join(dir, 'train2.csv'),
      '--semantic',
      join(dir, 'semantic2.json'),
      '--out',
      second,
      '--quiet',
    );
    expect(built.code).toBe(0);
    expect(built.stdout).toMatch(/1 learnwares in 1 islands/);
    expect(packed.code).toBe(0);
    const added = await cliInProcess('catalog', 'add', catalog, second);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/2 learnwares in 2 islands/);
    const index = JSON.parse(readFileSync(join(catalog, 'catalog.json'), 'utf8')) as CatalogIndex;
    for (const entry of index.entries) expect((await checkBundle(readFileSync(join(catalog, entry.bundle.file)))).status).toBe('USABLE');

    const before = readFileSync(join(catalog, 'catalog.json'));
    const failed = await cliInProcess('catalog', 'add', catalog, join(dir, 'tampered.zip'));
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/INVALID; the catalog is unchanged/);
    expect(readFileSync(join(catalog, 'catalog.json')).equals(before)).toBe(true);
  });

  it('the demo catalog script builds at least 30 real learnwares in two table islands, a text island and an image island', async () => {
    // built once per run by the project's global setup (tests/integration/fresh-demo-catalog.ts)
    const { catalog: out, stdout } = inject('freshDemoCatalog');
    expect(stdout).toMatch(/166 learnwares in 4 islands/);
    const index = JSON.parse(readFileSync(join(out, 'catalog.json'), 'utf8')) as CatalogIndex;
    expect(index.entries.length).toBeGreaterThanOrEqual(30);
    expect(index.islands.map((i) => [i.features, i.count])).toEqual([
      [Array.from({ length: 256 }, (_, i) => `conv3-16-32-64@1:c1:${i}`), 50],
      [['hour', 'weekday', 'month', 'distance'], 20],
      [['sales', 'volume', 'listings', 'inventory', 'month'], 46],
      [Array.from({ length: 100 }, (_, i) => `glove-100d-50k@1:${i}`), 50],
    ]);
    const tasks = index.entries.map((e) => `${e.id.split('-')[0]}:${e.semantic.Task.Values[0]}:${e.output.kind}`);
    expect(new Set(tasks)).toEqual(
      new Set(['txhousing:Regression:regression', 'flights:Classification:probabilities', 'brown:Classification:probabilities', 'fashion:Classification:probabilities']),
    );

    // search it: a user holding Austin's rows (columns in another order) finds Austin first
    const rows = readFileSync(join(ROOT, 'public', 'samples', 'txhousing.csv'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('"Austin"'));
    const user = [
      'inventory,month,sales,listings,volume',
      ...rows.map((l) => {
        const c = l.split(',');
        return [c[7], c[2], c[3], c[6], c[4]].join(',');
      }),
    ];
    writeFileSync(join(dir, 'austin.csv'), user.join('\n'));
    // four independent searches, in this process in turn
    const found = await cliInProcess('search', '--catalog', out, '--data', join(dir, 'austin.csv'), '--json');
    const filtered = await cliInProcess('search', '--catalog', out, '--data', join(dir, 'austin.csv'), '--text', 'san antonio', '--json');
    const excluded = await cliInProcess('search', '--catalog', out, '--data', join(dir, 'austin.csv'), '--task', 'Classification');
    const none = await cliInProcess('search', '--catalog', out, '--data', join(dir, 'train2.csv'));
    expect(found.code).toBe(0);
    const result = JSON.parse(found.stdout) as { islands: { singles: { id: string; score: number }[]; recommended: string }[] };
    expect(result.islands).toHaveLength(1);
    expect(result.islands[0].singles[0].id).toBe('txhousing-austin');
    expect(result.islands[0].singles[0].score).toBeGreaterThan(0.9);
    expect(result.islands[0].singles[2].score).toBeLessThan(0.05);
    const filteredIds = (JSON.parse(filtered.stdout) as { islands: { singles: { id: string }[] }[] }).islands[0].singles.map((s) => s.id);
    // only text matches are ranked: the San cities, not Austin (which fits the data best)
    expect(filteredIds.length).toBeGreaterThanOrEqual(1);
    expect(filteredIds.every((id) => id.startsWith('txhousing-san-'))).toBe(true);
    expect(filteredIds).toContain('txhousing-san-antonio');
    expect(excluded.code).toBe(1);
    expect(excluded.stderr).toMatch(/^error\[NO_MATCH\]/);
    expect(none.code).toBe(1);
    // an answer in words: what the catalog covers, and what the nearest learnwares take that the file lacks
    expect(none.stderr).toMatch(
      /^error\[NO_ISLAND\]: No learnware in this catalog takes the columns a, b\. The catalog covers: .+\. Nearest: .+; your data lack .+; they do not take a, b\./,
    );
  });
});
