/**
 * Hostile models (docs/security.md): a Loop that runs for minutes and a ConstantOfShape of 3.6 GB,
 * generated here. In a worker-thread host the checker's verdict comes at its time limit and within
 * the memory cap; the CLI exits with the code. Limits are set short (2 s) so the tests are quick;
 * nothing else here is timed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { checkBundle, loadModel } from '../../src/engine/index.js';
import { nodeModelHost } from '../../src/cli/model-host.js';
import { denseModel, makeBundle } from '../helpers/bundles.js';
import { constantOfShapeBomb, loopHangModel } from '../helpers/hostile-models.js';

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

const host = nodeModelHost();

describe('a model that never ends', () => {
  it('check in a worker thread: MODEL_TIMEOUT at the limit, the worker stopped (2·10⁸ Loop iterations would take half an hour)', async () => {
    const { bundle } = await makeBundle({ model: loopHangModel(2e8) });
    const started = Date.now();
    const result = await checkBundle(bundle, { host, runTimeoutMs: 2_000 });
    expect(result.status).toBe('NONUSABLE');
    expect(result.reasons.map((r) => r.code)).toEqual(['MODEL_TIMEOUT']);
    expect(result.reasons[0].message).toContain('longer than 2 s');
    // bounded: the limit plus a worker start, far below the run's own half hour
    expect(Date.now() - started).toBeLessThan(60_000);
    // the host still works after a stopped worker
    expect((await checkBundle((await makeBundle()).bundle, { host })).status).toBe('USABLE');
  });

  it('a cancelled run is stopped at once (CANCELLED)', async () => {
    const model = await loadModel(loopHangModel(2e8), { host });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    await expect(model.run(new Float32Array(6), 2, 3, { signal: controller.signal, timeoutMs: 60_000 })).rejects.toMatchObject({ code: 'CANCELLED' });
    await model.dispose();
  });

  it('the CLI check exits 1 with MODEL_TIMEOUT (LEARNWARE_DOCK_RUN_TIMEOUT_S=2)', async () => {
    const file = join(dir, 'loop.zip');
    writeFileSync(file, (await makeBundle({ model: loopHangModel(2e8) })).bundle);
    const run = await cli({ LEARNWARE_DOCK_RUN_TIMEOUT_S: '2' }, 'check', file);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^NONUSABLE/);
    expect(run.stdout).toContain('MODEL_TIMEOUT: the model took longer than 2 s');
    expect((await cli({ LEARNWARE_DOCK_RUN_TIMEOUT_S: 'soon' }, 'check', file)).stderr).toContain('error[USAGE]: LEARNWARE_DOCK_RUN_TIMEOUT_S');
  });
});

describe('a model that asks for gigabytes', () => {
  it('a ConstantOfShape whose 3.6 GB shape is computed at run time is stopped by the worker memory cap (MODEL_MEMORY), the process stays small', async () => {
    const { bundle } = await makeBundle({ model: constantOfShapeBomb(30_000, 30_000, 'computed') });
    const result = await checkBundle(bundle, { host });
    expect(result.status).toBe('NONUSABLE');
    expect(result.reasons.map((r) => r.code)).toEqual(['MODEL_MEMORY']);
    // the worker shares this process: its peak resident set stays far below the 3.6 GB asked for
    expect(process.resourceUsage().maxRSS * 1024).toBeLessThan(1.5 * 2 ** 30);
    // a legitimate model still runs on the same host
    const model = await loadModel(denseModel(), { host });
    expect((await model.run(new Float32Array(6), 2, 3)).dims).toEqual([2, 2]);
    await model.dispose();
  });

  it('the CLI check of the 3.6 GB bundle (shape in the file) exits 1 with MODEL_MEMORY', async () => {
    const file = join(dir, 'bomb.zip');
    writeFileSync(file, (await makeBundle({ model: constantOfShapeBomb(30_000, 30_000) })).bundle);
    const run = await cli({}, 'check', file);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^NONUSABLE/);
    expect(run.stdout).toContain('MODEL_MEMORY: the model asks for a 3.4 GiB tensor');
  });
});
