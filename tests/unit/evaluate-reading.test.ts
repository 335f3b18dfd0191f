/** The evaluation's trivial baseline and its reading in plain words (engine reuse/evaluate.ts). */
import { describe, expect, it } from 'vitest';
import { describeEvaluation, predictionError, trivialBaseline, type Evaluation } from '../../src/engine/index.js';

const evaluation = (rows: Evaluation['rows'], extra: Partial<Evaluation> = {}): Evaluation => ({
  metric: 'rmse',
  labelledRows: 33,
  labelledRequested: 100,
  labelledAvailable: 47,
  testRows: 14,
  rows,
  baseline: { mean: 250000 },
  ...extra,
});
const row = (method: Evaluation['rows'][number]['method'], error: number, usesLabels = false) => ({ method, error, usesLabels });

describe('trivial baseline', () => {
  it('regression: predicts the mean of the labelled rows for every test row', () => {
    const b = trivialBaseline(Float64Array.of(1, 2, 6), { kind: 'regression', classes: null }, 4);
    expect(b.what.mean).toBe(3);
    expect(Array.from(b.predictions.values)).toEqual([3, 3, 3, 3]);
    expect(predictionError(b.predictions, Float64Array.of(3, 3, 3, 7))).toBeCloseTo(2);
  });

  it('classification: predicts the most frequent class, with smoothed frequencies as probabilities', () => {
    const b = trivialBaseline(Float64Array.of(1, 1, 0, 1, 2), { kind: 'classification', classes: ['early', 'on time', 'late'] }, 3);
    expect(b.what.majorityClass).toBe('on time');
    // (1+1)/8, (3+1)/8, (1+1)/8 per row
    expect(Array.from(b.predictions.values.subarray(0, 3))).toEqual([0.25, 0.5, 0.25]);
    expect(predictionError(b.predictions, Float64Array.of(1, 1, 2))).toBeCloseTo(1 / 3);
  });
});

describe('describeEvaluation', () => {
  it('says in plain words when no method beats the baseline', () => {
    const e = evaluation([row('single', 0.233), row('average', 0.225), row('from-scratch', 0.217, true), row('baseline', 0.217, true)], {
      metric: 'error-rate',
      baseline: { majorityClass: 'on time' },
    });
    const reading = describeEvaluation(e);
    expect(reading.beatsBaseline).toBe(false);
    expect(reading.sentences[0]).toMatch(/^No method beats the trivial baseline — always answering “on time”/);
    expect(reading.sentences[0]).toContain('21.7 %');
  });

  it('names the best method and its gain over the baseline when one beats it', () => {
    const reading = describeEvaluation(evaluation([row('single', 6561), row('from-scratch', 9000, true), row('baseline', 20000, true)]));
    expect(reading.beatsBaseline).toBe(true);
    expect(reading.best).toBe('single');
    expect(reading.sentences[0]).toMatch(/^Best: best single, RMSE 6,561, 67 % lower than the trivial baseline/);
  });

  it('explains an average far worse than the best by the levels of its members', () => {
    const e = evaluation([row('single', 6561), row('average', 42270), row('baseline', 30000, true)], {
      levels: { labels: 250000, learnwares: [248000, 120000, 90000] },
    });
    const reading = describeEvaluation(e);
    expect(reading.farWorse).toEqual(['average']);
    const sentence = reading.sentences.find((s) => s.startsWith('Averaging is 6.4 × worse'));
    expect(sentence).toBeDefined();
    expect(sentence).toContain('from 90,000 to 248,000');
    expect(sentence).toContain('your labels average 250,000');
  });

  it('counts labelled rows truthfully: used, available, held out, and what was asked', () => {
    const reading = describeEvaluation(evaluation([row('single', 1), row('baseline', 2, true)]));
    expect(reading.sentences.at(-1)).toBe(
      'Labelled rows used: 33 of the 47 rows of your table that have a label (14 held out for testing; you asked for 100, more than the table has left).',
    );
    const exact = describeEvaluation(evaluation([row('single', 1), row('baseline', 2, true)], { labelledRows: 10, labelledRequested: 10 }));
    expect(exact.sentences.at(-1)).toBe('Labelled rows used: 10 of the 47 rows of your table that have a label (14 held out for testing).');
  });

  it('speaks of images or texts, not table rows, when those were compared', () => {
    const e = evaluation([row('single', 0.4), row('from-scratch', 0.1, true), row('baseline', 0.7, true)]);
    const images = describeEvaluation(e, undefined, 'images').sentences.join(' ');
    expect(images).toContain('Labelled images used: 33 of the 47 images of yours that have a label (14 held out for testing; you asked for 100, more than there are left).');
    expect(images).toContain('off on your images');
    expect(images).not.toMatch(/\brows?\b|table/);
    expect(describeEvaluation(e, undefined, 'texts').sentences.at(-1)).toMatch(/^Labelled texts used: 33 of the 47 texts of yours/);
  });
});
