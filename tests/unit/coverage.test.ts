import { describe, expect, it } from 'vitest';
import { catalogCoverage, describeCoverage, suggestColumns, type CatalogIndex } from '../../src/engine/index.js';

/** A catalog index with two islands, as the demo builder writes them (only what coverage reads). */
function index(): CatalogIndex {
  const entry = (id: string, name: string, island: string, task: string, scenario: string[], output: Record<string, string>) => ({
    id,
    name,
    island,
    semantic: {
      Data: { Type: 'Class', Values: ['Table'] },
      Task: { Type: 'Class', Values: [task] },
      Scenario: { Type: 'Tag', Values: scenario },
      Output: { Dimension: Object.keys(output).length, Description: output },
    },
  });
  return {
    islands: [
      { id: 'house', features: ['sales', 'volume', 'listings', 'inventory', 'month'], count: 3 },
      { id: 'fly', features: ['hour', 'weekday', 'month', 'distance'], count: 2 },
    ],
    entries: [
      entry('a', 'Housing prices: Abilene', 'house', 'Regression', ['Business'], { '0': 'median sale price (USD)' }),
      entry('b', 'Housing prices: Austin', 'house', 'Regression', ['Business', 'Financial'], { '0': 'median sale price (USD)' }),
      entry('c', 'Housing prices: El Paso', 'house', 'Regression', ['Business'], { '0': 'median sale price (USD)' }),
      entry('d', 'Flight delays from ATL', 'fly', 'Classification', ['Traffic'], { '0': 'on time', '1': 'delayed' }),
      entry('e', 'Flight delays from BOS', 'fly', 'Classification', ['Traffic'], { '0': 'on time', '1': 'delayed' }),
    ],
  } as unknown as CatalogIndex;
}

const numeric = (...names: string[]) => names.map((name) => ({ name, kind: 'numeric' }));

describe('what a catalog covers', () => {
  it('reads each island’s topic, members, task and outputs from its entries', () => {
    const [house, fly] = catalogCoverage(index());
    expect(house.topic).toBe('Housing prices');
    expect(house.members).toEqual(['Abilene', 'Austin', 'El Paso']);
    expect(house.outputs).toEqual(['median sale price (USD)']);
    expect(house.scenarios).toEqual(['Business', 'Financial']);
    expect(fly.topic).toBe('Flight delays');
    expect(fly.members).toEqual(['ATL', 'BOS']);
    expect(describeCoverage(house, 2)).toBe('Housing prices — Abilene, Austin and 1 more (3 regression learnwares)');
    expect(describeCoverage(fly)).toBe('Flight delays — ATL, BOS (2 classification learnwares)');
  });
});

describe('default columns', () => {
  it('preselects exactly the features of the island the table holds, and takes the column it predicts as the label', () => {
    const coverage = catalogCoverage(index());
    const austin = suggestColumns(coverage, numeric('sales', 'volume', 'listings', 'inventory', 'month', 'median'));
    expect(austin).toEqual({ island: 'house', features: ['sales', 'volume', 'listings', 'inventory', 'month'], label: { column: 'median', output: 'median sale price (USD)' } });
    // the sample: year and date are not features of any island; month is, whatever its name suggests
    const sample = suggestColumns(coverage, [{ name: 'city', kind: 'text' }, ...numeric('year', 'month', 'sales', 'volume', 'median', 'listings', 'inventory', 'date')]);
    expect(sample.features.sort()).toEqual(['inventory', 'listings', 'month', 'sales', 'volume']);
    expect(sample.label?.column).toBe('median');
    const flights = suggestColumns(coverage, numeric('hour', 'weekday', 'month', 'distance', 'delayed'));
    expect(flights).toMatchObject({ island: 'fly', features: ['hour', 'weekday', 'month', 'distance'], label: { column: 'delayed' } });
  });

  it('ticks every numeric column when no island fits (no column dropped by its name), but never the predicted one', () => {
    const coverage = catalogCoverage(index());
    const partial = suggestColumns(coverage, numeric('id', 'year', 'sales', 'volume', 'median_sale_price'));
    expect(partial.island).toBeNull();
    expect(partial.features).toEqual(['id', 'year', 'sales', 'volume']);
    expect(partial.label?.column).toBe('median_sale_price');
    expect(suggestColumns(coverage, numeric('a', 'b'))).toEqual({ island: null, features: ['a', 'b'], label: null });
    // a lone column is searched with, even when it names an output
    expect(suggestColumns(coverage, numeric('price'))).toEqual({ island: null, features: ['price'], label: null });
  });
});
