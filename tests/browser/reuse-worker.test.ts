/**
 * The two workers of the user's journey through comlink, as the page uses them, in real Chromium:
 * the spec worker parses the user's file and searches; the reuse worker gets the rows and the search
 * result over a MessageChannel (workers/handover.ts), never a file; results are named by id, so
 * after two reuses each one's predictions and composite are still its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReuseClient } from '../../src/app/reuse-client.js';
import { SpecClient } from '../../src/app/spec-client.js';
import { readZip, type CompositeSpec } from '../../src/engine/index.js';
import type { SearchAnswer } from '../../workers/spec.worker.js';

const FEATURES = ['sales', 'volume', 'listings', 'inventory', 'month'];
const noProgress = () => {};

describe('reuse worker with the spec worker', () => {
  const spec = new SpecClient();
  const reuse = new ReuseClient();
  let tableId = 0;
  let searchId = '';
  let offer: SearchAnswer['reuse'] = null;

  beforeAll(async () => {
    const channel = new MessageChannel();
    await spec.connectReuse(channel.port1);
    await reuse.connect(channel.port2);
    await reuse.init({ prefer: 'wasm' });
    await spec.loadCatalog(new URL('/catalog/', location.href).href);
    const bytes = await (await fetch('/catalog-holdout/txhousing-austin.csv')).arrayBuffer();
    tableId = (await spec.loadData(bytes, 'txhousing-austin.csv')).tableId;
    ({ searchId, reuse: offer } = await spec.searchCatalog(tableId, { features: FEATURES }, noProgress).result);
  });
  afterAll(() => {
    spec.dispose();
    reuse.dispose();
  });

  it('the search offers the registry’s methods and the recommended one', () => {
    const options = offer!;
    expect(options.methods.map((m) => m.id)).toEqual(['single', 'average', 'job-selector', 'ensemble-pruning', 'feature-augment']);
    expect(options.methods.filter((m) => m.needsLabels).map((m) => m.id)).toEqual(['ensemble-pruning', 'feature-augment']);
    expect(options.recommended.labelled).toBe(options.recommended.unlabelled);
  });

  it('keeps each reuse by its id: predictions and composites of the first are still the first’s after a second', async () => {
    const selection = { tableId, searchId, features: FEATURES, labelColumn: 'median', fillMissing: true };
    const first = await reuse.reuse({ ...selection, method: 'single' }, noProgress).result;
    const second = await reuse.reuse({ ...selection, method: 'average' }, noProgress).result;
    expect(first.resultId).not.toBe(second.resultId);
    expect(first.rows).toBe(47);
    expect(Array.from(second.values)).not.toEqual(Array.from(first.values));

    // the prediction column, found by its header (the chosen columns come before it)
    const csvValues = (csv: string) => {
      const [header, ...lines] = csv.trim().split('\n');
      const at = header.split(',').indexOf('prediction');
      expect(at).toBeGreaterThan(0);
      return lines.map((line) => Number(line.split(',')[at]));
    };
    // asked in the "wrong" order: the first result after the second
    expect(csvValues(await reuse.predictionsCsv(first.resultId))).toEqual(Array.from(first.values));
    expect(csvValues(await reuse.predictionsCsv(second.resultId))).toEqual(Array.from(second.values));
    const method = async (resultId: string) => (JSON.parse(new TextDecoder().decode(readZip(await reuse.saveComposite(resultId)).get('composite.json')!)) as CompositeSpec).method;
    expect(await method(first.resultId)).toBe('single');
    expect(await method(second.resultId)).toBe('average');
    expect(await method(first.resultId)).toBe('single');
    await expect(reuse.predictionsCsv('result-999')).rejects.toMatchObject({ code: 'UNKNOWN_RESULT' });

    // a saved composite predicts again, as one more result of its own
    const { compositeId } = await reuse.openComposite(await reuse.saveComposite(first.resultId));
    const again = await reuse.predictComposite(compositeId, selection, noProgress).result;
    expect(Array.from(again.values)).toEqual(Array.from(first.values));
    expect(again.resultId).not.toBe(first.resultId);
  });

  it('takes only the chosen feature columns from the spec worker, and says which are unknown', async () => {
    const job = reuse.reuse({ tableId, searchId, features: [...FEATURES, 'no-such-column'], method: 'single', fillMissing: true }, noProgress);
    await expect(job.result).rejects.toMatchObject({ code: 'UNKNOWN_COLUMN' });
    const missing = reuse.reuse({ tableId, searchId, features: FEATURES.slice(0, 4), method: 'single', fillMissing: true }, noProgress);
    await expect(missing.result).rejects.toMatchObject({ code: 'MISSING_COLUMNS' });
  });
});
