/**
 * Hostile-input suite: models that never end or ask for gigabytes (issue 17, defects 1 and 2), run
 * in the CLI's model host (a Node worker thread per model, src/cli/model-host.ts) as every CLI
 * command does. Limits per verdict: 30 s and 1.5 GB (peak resident set of this process, which the
 * workers share); the run limit is set to 2 s so the cases are quick. The CLI's exit codes for the
 * same models: tests/integration/hostile-models.test.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import { checkBundle, loadModel } from '../../src/engine/index.js';
import { nodeModelHost } from '../../src/cli/model-host.js';
import { denseModel, makeBundle } from '../helpers/bundles.js';
import { constantOfShapeBomb, loopHangModel } from '../helpers/hostile-models.js';

vi.setConfig({ testTimeout: 30_000 });

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
    expect(Date.now() - started).toBeLessThan(30_000);
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
});
