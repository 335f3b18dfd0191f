import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import { parseTableSpec, Prng } from '../../src/engine/index.js';
import { cli } from '../helpers/cli.js';
import { cliInProcess } from '../helpers/cli-in-process.js';
import { TXHOUSING_PATH } from '../helpers/data.js';

type Result = { code: number; stdout: string; stderr: string };

let dir: string;
/** the subprocesses started in beforeAll (they run on another core while this process works), awaited by their tests */
let million: Promise<Result>;
let textColumn: Promise<Result>;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lwd-cli-'));
  const prng = new Prng(5);
  const lines = ['x,y,z'];
  for (let r = 0; r < 1_000_000; r++) lines.push(`${(prng.nextNormal() * 3).toFixed(4)},${prng.nextNormal().toFixed(4)},${(prng.nextFloat() * 10).toFixed(3)}`);
  million = cli('spec', write(dir, 'million.csv', lines.join('\n')), '--quiet', '--scale', 'std');
  textColumn = cli('spec', TXHOUSING_PATH, '--out', join(dir, 'x.json'));
});

// Most commands run in this process (cliInProcess: main() with its output captured, one call at a time). Two stay real
// subprocesses of bin/learnware-dock.js: one failing command (its exit status, one error line, no stack trace) and the
// 10^6-row spec (a process of its own, killed by tests/helpers/cli.ts's timeout if it hangs).
describe('learnware-dock CLI', () => {
  it('builds a spec from a CSV and prints the MMD between specs', async ({ expect }) => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    const drop = '--drop-columns=city,year,month,date';
    const first = await cliInProcess('spec', TXHOUSING_PATH, '--out', a, drop, '--scale', 'std', '--k', '50', '--quiet');
    const second = await cliInProcess('spec', TXHOUSING_PATH, '--out', b, drop, '--scale', 'std', '--k', '50', '--seed', '9', '--quiet');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/n=8602 d=5 K=50 gamma=0.1 scale=std backend=wasm/);
    const spec = parseTableSpec(readFileSync(a, 'utf8'));
    expect(spec.featureNames).toEqual(['sales', 'volume', 'median', 'listings', 'inventory']);
    expect(spec.K).toBe(50);
    expect(spec.provenance?.seed).toBe(0);

    expect(second.code).toBe(0);
    const same = await cliInProcess('mmd', a, a);
    const between = await cliInProcess('mmd', a, b);
    expect(same.code).toBe(0);
    expect(Math.abs(Number(same.stdout))).toBeLessThan(1e-12);
    expect(Number(between.stdout)).toBeGreaterThan(0);
    expect(Number(between.stdout)).toBeLessThan(1e-3); // two seeds, same data: nearly the same embedding
  });

  it('writes a reference-layout stat.json by default (raw units) and warns about degenerate scales', async ({ expect }) => {
    const out = join(dir, 'raw.json');
    const result = await cliInProcess('spec', TXHOUSING_PATH, '--out', out, '--drop-columns', 'city', '--quiet');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning\[KERNEL_DEGENERATE\]/);
    expect(Object.keys(JSON.parse(readFileSync(out, 'utf8'))).sort()).toEqual(['beta', 'feature_names', 'gamma', 'num_points', 'provenance', 'type', 'z']);
  });

  it.for([
    // a real subprocess, started in beforeAll: the bin's exit status and nothing but one line on stderr
    ['a text column', () => textColumn, 1, /^error\[NON_NUMERIC_COLUMN\]: column "city" is not numeric/],
    ['an empty file', (d: string) => [write(d, 'empty.csv', '')], 1, /^error\[EMPTY_FILE\]/],
    ['a header only', (d: string) => [write(d, 'header.csv', 'a,b\n')], 1, /^error\[NO_ROWS\]/],
    ['ragged rows', (d: string) => [write(d, 'ragged.csv', 'a,b\n1,2\n3\n')], 1, /^error\[RAGGED_ROW\]: line 3/],
    ['an all-NaN column', (d: string) => [write(d, 'nan.csv', 'a,b\n1,NA\n2,\n3,NaN\n')], 1, /^error\[ALL_MISSING_COLUMN\]: feature "b"/],
    ['a missing file', (d: string) => [join(d, 'nope.csv')], 1, /^error\[FILE_NOT_FOUND\]/],
    ['an unknown option', (d: string) => [write(d, 'ok.csv', 'a\n1\n'), '--kk', '3'], 2, /^error\[USAGE\]: unknown option --kk/],
    ['a bad K', (d: string) => [write(d, 'ok2.csv', 'a\n1\n'), '--k', 'ten'], 2, /^error\[USAGE\]: --k must be a positive integer/],
    ['an unknown drop column', (d: string) => [write(d, 'ok3.csv', 'a\n1\n'), '--drop-columns', 'b'], 1, /^error\[UNKNOWN_COLUMN\]/],
  ] as const)('spec fails with one line on %s', async ([, args, code, message], { expect }) => {
    const made = args(dir);
    const result = Array.isArray(made) ? await cliInProcess('spec', ...made) : await made;
    expect(result.code).toBe(code);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it('handles K larger than the rows and a single row', async ({ expect }) => {
    const few = await cliInProcess('spec', write(dir, 'few.csv', 'a,b\n1,2\n3,4\n5,7\n'), '--k', '100', '--quiet');
    const one = await cliInProcess('spec', write(dir, 'one.csv', 'a,b\n1,2\n'), '--quiet');
    expect(few.code).toBe(0);
    expect(parseTableSpec(few.stdout).K).toBe(2);
    expect(one.code).toBe(0);
    expect(Array.from(parseTableSpec(one.stdout).z)).toEqual([1, 2]);
  });

  it('mmd rejects malformed spec files naming the field', async ({ expect }) => {
    const good = write(dir, 'good.json', '{"z":[[0,0]],"beta":[1],"gamma":0.1,"num_points":1,"type":"RKMETableSpecification"}');
    const bad = write(dir, 'bad.json', '{"z":[[0,0]],"beta":[1],"gamma":"0.1","num_points":1,"type":"RKMETableSpecification"}');
    const result = await cliInProcess('mmd', good, bad);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error\[BAD_STAT_JSON\]: .*bad\.json: stat\.json: "gamma" must be a positive number/);
  });

  it('builds a spec from 10^6 rows without hanging', async ({ expect }) => {
    // written and started in beforeAll (a subprocess)
    const result = await million;
    expect(result.code).toBe(0);
    const spec = parseTableSpec(result.stdout);
    expect(spec.numPoints).toBe(1_000_000);
    expect(spec.K).toBe(100);
    expect(spec.scale![0]).toBeCloseTo(3, 1);
  });

  it('prints help', async ({ expect }) => {
    const result = await cliInProcess('spec', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/--drop-columns/);
    expect(result.stdout).toMatch(/encode them as numbers/);
  });
});

function write(directory: string, name: string, content: string): string {
  const path = join(directory, name);
  writeFileSync(path, content);
  return path;
}
