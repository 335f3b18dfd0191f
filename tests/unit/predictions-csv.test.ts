/** Predictions as CSV with the user's columns: RFC 4180 quoting and formula neutralising (engine reuse/predictions.ts). */
import { describe, expect, it } from 'vitest';
import { csvCell, parseCsv, predictionsCsv, type Predictions } from '../../src/engine/index.js';

describe('csvCell', () => {
  it('quotes commas, quotes and line breaks (RFC 4180), and keeps numbers as numbers', () => {
    expect(csvCell('Austin, TX')).toBe('"Austin, TX"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(1.5)).toBe('1.5');
    expect(csvCell(NaN)).toBe('');
    expect(csvCell(null)).toBe('');
  });

  it('neutralises text a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+1+1')).toBe("'+1+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('\rcmd')).toBe(`"'\rcmd"`);
    expect(csvCell('Ideal')).toBe('Ideal');
  });
});

describe('predictionsCsv with context', () => {
  it('writes row, the user columns, the actual label, the prediction; a CSV reader gets them back', () => {
    const p: Predictions = { kind: 'regression', rows: 3, classes: null, values: Float64Array.of(10.5, 20, -3) };
    const csv = predictionsCsv(p, {
      columns: [
        { name: 'city', values: ['Austin, TX', '=cmd()', 'Waco'] },
        { name: 'sales', values: Float64Array.of(1, NaN, 3) },
        { name: 'median', values: [11, null, -2] },
      ],
    });
    expect(csv.split('\n')[0]).toBe('row,city,sales,median,prediction');
    const table = parseCsv(csv);
    expect(table.rowCount).toBe(3);
    expect(table.columns.map((c) => c.name)).toEqual(['row', 'city', 'sales', 'median', 'prediction']);
    expect(table.columns[1].values).toEqual(['Austin, TX', "'=cmd()", 'Waco']);
    expect(Array.from(table.columns[2].values as Float64Array)).toEqual([1, NaN, 3]);
    expect(Array.from(table.columns[3].values as Float64Array)).toEqual([11, NaN, -2]);
    expect(Array.from(table.columns[4].values as Float64Array)).toEqual([10.5, 20, -3]);
  });

  it('classification: the predicted class and one probability per class after the context', () => {
    const p: Predictions = { kind: 'classification', rows: 2, classes: ['on time', 'late'], values: Float64Array.of(0.9, 0.1, 0.2, 0.8) };
    const csv = predictionsCsv(p, { columns: [{ name: 'delayed', values: ['on time', 'on time'] }] });
    expect(csv).toBe('row,delayed,prediction,p(on time),p(late)\n1,on time,on time,0.900000,0.100000\n2,on time,late,0.200000,0.800000\n');
    // without context: as before
    expect(predictionsCsv(p).split('\n')[0]).toBe('row,prediction,p(on time),p(late)');
  });
});
