/**
 * Hostile models through the CLI (docs/security.md): a Loop that runs for minutes and a
 * ConstantOfShape of 3.6 GB, generated here; the CLI exits 1 with the code. The run limit is set
 * short (LEARNWARE_DOCK_RUN_TIMEOUT_S=2) so the tests are quick; nothing else here is timed. The
 * worker-thread host itself: tests/unit/hostile-model-runs.test.ts.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, it } from 'vitest';
import { makeBundle } from '../helpers/bundles.js';
import { constantOfShapeBomb, dataDependentLoopModel, loopHangModel } from '../helpers/hostile-models.js';

const BIN = fileURLToPath(new URL('../../bin/learnware-dock.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hostile-models-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// every test has its own files and folders: the tests, and the independent subprocesses within them, run side by
// side (each test with its own expect, as concurrent tests must)
describe.concurrent('a model that never ends', () => {
  it('the CLI check exits 1 with MODEL_TIMEOUT (LEARNWARE_DOCK_RUN_TIMEOUT_S=2)', async ({ expect }) => {
    const file = join(dir, 'loop.zip');
    writeFileSync(file, (await makeBundle({ model: loopHangModel(2e8) })).bundle);
    const [run, usage] = await Promise.all([cli({ LEARNWARE_DOCK_RUN_TIMEOUT_S: '2' }, 'check', file), cli({ LEARNWARE_DOCK_RUN_TIMEOUT_S: 'soon' }, 'check', file)]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^NONUSABLE/);
    expect(run.stdout).toContain('MODEL_TIMEOUT: the model took longer than 2 s');
    expect(usage.stderr).toContain('error[USAGE]: LEARNWARE_DOCK_RUN_TIMEOUT_S');
  });

  it('the CLI catalog build of a directory holding the hanging bundle stops with its MODEL_TIMEOUT, or skips it with --skip-unusable', async ({ expect }) => {
    const bundles = join(dir, 'build-bundles');
    mkdirSync(bundles);
    writeFileSync(join(bundles, 'loop.zip'), (await makeBundle({ model: loopHangModel(2e8) })).bundle);
    writeFileSync(join(bundles, 'good.zip'), (await makeBundle({ id: 'good' })).bundle);
    const env = { LEARNWARE_DOCK_RUN_TIMEOUT_S: '2' };
    const [refused, skipped] = await Promise.all([
      cli(env, 'catalog', 'build', bundles, '--out', join(dir, 'build-refused')),
      cli(env, 'catalog', 'build', bundles, '--out', join(dir, 'build-skipped'), '--skip-unusable'),
    ]);
    expect(refused.code).toBe(1);
    expect(`${refused.stdout}${refused.stderr}`).toContain('MODEL_TIMEOUT');
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(`${skipped.stdout}${skipped.stderr}`).toContain('MODEL_TIMEOUT');
  });

  it("the CLI reuse of a model that passes the check and hangs on the user's rows exits 1 with MODEL_TIMEOUT", async ({ expect }) => {
    const bundles = join(dir, 'trap-bundles');
    mkdirSync(bundles);
    // the Loop runs max |x| · 10 times: a few dozen on the probe rows, 10⁹ on a table with a cell of 10⁸
    writeFileSync(join(bundles, 'trap.zip'), (await makeBundle({ model: dataDependentLoopModel(10) })).bundle);
    const catalog = join(dir, 'trap-catalog');
    const built = await cli({}, 'catalog', 'build', bundles, '--out', catalog);
    expect(built.code, built.stderr).toBe(0);
    const data = join(dir, 'trap.csv');
    writeFileSync(data, 'temperature,pressure,humidity\n1,2,3\n100000000,2,3\n');
    const run = await cli({ LEARNWARE_DOCK_RUN_TIMEOUT_S: '2' }, 'reuse', '--catalog', catalog, '--data', data, '--method', 'single', '--out', join(dir, 'trap-out.csv'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error\[MODEL_TIMEOUT\]: the model took longer than 2 s on 2 rows/);
  });
});

describe.concurrent('a model that asks for gigabytes', () => {
  it('the CLI check of the 3.6 GB bundle (shape in the file) exits 1 with MODEL_MEMORY', async ({ expect }) => {
    const file = join(dir, 'bomb.zip');
    writeFileSync(file, (await makeBundle({ model: constantOfShapeBomb(30_000, 30_000) })).bundle);
    const run = await cli({}, 'check', file);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^NONUSABLE/);
    expect(run.stdout).toContain('MODEL_MEMORY: the model asks for a 3.4 GiB tensor');
  });
});
