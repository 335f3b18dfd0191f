/** The spec worker through comlink, as the app uses it, in real Chromium. */
import { afterAll, describe, expect, it } from 'vitest';
import { SpecClient } from '../../src/app/spec-client.js';
import { CancelledError, InputError, parseTableSpec, type ProgressEvent } from '../../src/engine/index.js';
import { gaussianMixture } from '../shared/synthetic.js';

function csvOf(values: Float64Array, rows: number, cols: number, extra?: (r: number) => string): ArrayBuffer {
  const header = Array.from({ length: cols }, (_, f) => `f${f}`).join(',') + (extra ? ',label' : '');
  const lines = [header];
  for (let r = 0; r < rows; r++) {
    lines.push(Array.from(values.subarray(r * cols, (r + 1) * cols)).join(',') + (extra ? `,${extra(r)}` : ''));
  }
  return new TextEncoder().encode(lines.join('\n')).buffer as ArrayBuffer;
}

describe('spec worker', () => {
  const client = new SpecClient();
  afterAll(() => client.dispose());

  it('starts on WebGPU in Chromium with --enable-unsafe-webgpu when software adapters are allowed', async () => {
    const info = await client.init({ allowSoftwareGpu: true });
    expect(info.name).toBe('webgpu');
    expect(info.attempts[0]).toEqual({ name: 'webgpu', ok: true });
  });

  it('takes the file by transfer, reports progress, and returns a valid stat.json', async () => {
    const rows = 1500;
    const buffer = csvOf(gaussianMixture(rows, 3, 4, 2), rows, 3, (r) => (r % 2 ? 'yes' : 'no'));
    const table = await client.loadData(buffer, 'table.csv');
    if (table.kind !== 'table') throw new Error('a CSV is a table');
    // transferred, not copied: the page's buffer is detached
    expect((buffer as ArrayBuffer & { detached?: boolean }).detached).toBe(true);
    expect(buffer.byteLength).toBe(0);
    expect(table.rows).toBe(rows);
    expect(table.columns.map((c) => c.kind)).toEqual(['numeric', 'numeric', 'numeric', 'text']);
    expect(table.columns[3].example).toBe('no');

    const events: ProgressEvent[] = [];
    const job = client.buildSpec(table.tableId, { K: 30, seed: 1, scale: 'std', dropColumns: ['label'] }, (e) => events.push(e));
    const result = await job.result;
    expect(result.backend).toBe('webgpu');
    expect(result.K).toBe(30);
    expect(result.featureNames).toEqual(['f0', 'f1', 'f2']);
    const spec = parseTableSpec(result.json);
    expect(spec.K).toBe(30);
    expect(spec.numPoints).toBe(rows);
    expect(spec.scaleSource).toBe('std');
    expect(spec.provenance?.backend).toBe('webgpu');
    expect(events.filter((e) => e.status === 'start').map((e) => e.phase)).toEqual(['impute', 'kmeans', 'beta', 'z-step']);
    expect(events.at(-1)).toMatchObject({ status: 'done', phase: 'z-step' });
  });

  it('cancels a running job with CancelledError', async () => {
    const rows = 20_000;
    const table = await client.loadData(csvOf(gaussianMixture(rows, 8, 6, 3), rows, 8), 'mixture.csv');
    let jobId = '';
    // cancelled at its first progress event: on the software WebGPU adapter a K = 200 k-means takes tens of seconds to report
    const job = client.buildSpec(table.tableId, { K: 200 }, (e) => {
      if (e.status === 'progress') client.cancel(jobId);
    });
    jobId = job.jobId;
    await expect(job.result).rejects.toBeInstanceOf(CancelledError);
  });

  it('carries error codes across the worker boundary', async () => {
    const ragged = new TextEncoder().encode('a,b\n1,2\n3\n').buffer as ArrayBuffer;
    await expect(client.loadData(ragged, 'ragged.csv')).rejects.toMatchObject({ code: 'RAGGED_ROW', details: { line: 3 } });
    const table = await client.loadData(new TextEncoder().encode('a,b\n1,x\n2,y\n').buffer as ArrayBuffer, 'text.csv');
    const job = client.buildSpec(table.tableId, {}, () => {});
    await expect(job.result).rejects.toBeInstanceOf(InputError);
    await expect(client.buildSpec(table.tableId, {}, () => {}).result).rejects.toMatchObject({ code: 'NON_NUMERIC_COLUMN' });
  });
});
