/** Encoding a categorical text column as numbers (engine data/encode.ts). */
import { describe, expect, it } from 'vitest';
import { applyEncoding, parseCsv, planEncoding, toFeatureMatrix } from '../../src/engine/index.js';

const diamonds = () => parseCsv('carat,cut,color,price\n0.23,Ideal,E,326\n0.21,Premium,E,326\n0.23,Good,J,327\n0.29,Premium,,334\n');

describe('categorical encoding', () => {
  it('one-hot: a 0/1 column per category in place of the text column, named column=category; missing stays missing', () => {
    const table = diamonds();
    const color = table.columns.find((c) => c.name === 'color')!;
    const enc = planEncoding(color, 'one-hot');
    expect(enc).toEqual({ column: 'color', kind: 'one-hot', categories: ['E', 'J'] });
    const encoded = applyEncoding(table, enc);
    expect(encoded.columns.map((c) => c.name)).toEqual(['carat', 'cut', 'color=E', 'color=J', 'price']);
    expect(Array.from(encoded.columns[2].values as Float64Array)).toEqual([1, 1, 0, NaN]);
    expect(Array.from(encoded.columns[3].values as Float64Array)).toEqual([0, 0, 1, NaN]);
  });

  it('ordinal: codes in a given order (or sorted), and the table becomes a feature matrix', () => {
    const table = diamonds();
    const cut = table.columns.find((c) => c.name === 'cut')!;
    expect(planEncoding(cut, 'ordinal').categories).toEqual(['Good', 'Ideal', 'Premium']);
    const enc = planEncoding(cut, 'ordinal', ['Fair', 'Good', 'Very Good', 'Premium', 'Ideal']);
    let encoded = applyEncoding(table, enc);
    expect(Array.from(encoded.columns[1].values as Float64Array)).toEqual([4, 3, 1, 3]);
    encoded = applyEncoding(encoded, planEncoding(encoded.columns[2], 'one-hot'));
    const m = toFeatureMatrix(encoded);
    expect(m.featureNames).toEqual(['carat', 'cut', 'color=E', 'color=J', 'price']);
    expect(m.cols).toBe(5);
  });

  it('refuses what is not a category, and an order that misses one', () => {
    const table = diamonds();
    expect(() => planEncoding(table.columns[0], 'one-hot')).toThrow(expect.objectContaining({ code: 'NOT_CATEGORICAL' }));
    const ids = parseCsv('id,y\n' + Array.from({ length: 150 }, (_, i) => `x${i},${i}`).join('\n'));
    expect(() => planEncoding(ids.columns[0], 'one-hot')).toThrow(expect.objectContaining({ code: 'TOO_MANY_CATEGORIES' }));
    expect(() => planEncoding(table.columns[1], 'ordinal', ['Ideal', 'Good'])).toThrow(/lacks "Premium"/);
  });
});
