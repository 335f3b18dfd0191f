import { describe, expect, it } from 'vitest';
import { InputError, parseCsv, parseCsvBytes, toFeatureMatrix } from '../../src/engine/index.js';
import { txhousing } from '../helpers/data.js';

function code(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).code;
  }
  throw new Error('expected an InputError');
}

describe('CSV reader', () => {
  it('reads the real txhousing table with its NA cells and text column', () => {
    const table = txhousing();
    expect(table.rowCount).toBe(8602);
    expect(table.columns.map((c) => c.name)).toEqual(['city', 'year', 'month', 'sales', 'volume', 'median', 'listings', 'inventory', 'date']);
    const city = table.columns[0];
    expect(city.kind).toBe('text');
    expect(city.values[0]).toBe('Abilene');
    const sales = table.columns[3];
    expect(sales.kind).toBe('numeric');
    expect(sales.values[0]).toBe(72);
    expect(Array.from(sales.values as Float64Array).filter(Number.isNaN).length).toBe(568);
  });

  it('handles quotes, escaped quotes, embedded newlines, CRLF, BOM and tabs', () => {
    const table = parseCsv('\uFEFFname,"x, y",z\r\n"a ""b""\nc",1.5,-2e3\r\nd,,NA\r\n');
    expect(table.rowCount).toBe(2);
    expect(table.columns[0].values).toEqual(['a "b"\nc', 'd']);
    expect(Array.from(table.columns[1].values as Float64Array)).toEqual([1.5, NaN]);
    expect(Array.from(table.columns[2].values as Float64Array)).toEqual([-2000, NaN]);
    const tsv = parseCsv('a\tb\n1\t2\n3\t4\n');
    expect(tsv.columns.map((c) => c.name)).toEqual(['a', 'b']);
  });

  it('reads infinities as ±Inf and keeps text columns as text', () => {
    const table = parseCsv('a,b\nInf,x\n-inf,2\n');
    expect(Array.from(table.columns[0].values as Float64Array)).toEqual([Infinity, -Infinity]);
    expect(table.columns[1].kind).toBe('text');
    expect(table.columns[1].values).toEqual(['x', '2']);
  });

  it.each([
    ['empty file', '', 'EMPTY_FILE'],
    ['whitespace only', '  \n\n', 'EMPTY_FILE'],
    ['header only', 'a,b,c\n', 'NO_ROWS'],
    ['ragged row', 'a,b\n1,2\n3\n', 'RAGGED_ROW'],
    ['unclosed quote', 'a,b\n"1,2\n', 'UNCLOSED_QUOTE'],
    ['duplicate column', 'a,a\n1,2\n', 'DUPLICATE_COLUMN'],
    ['empty column name', 'a,,c\n1,2,3\n', 'EMPTY_COLUMN_NAME'],
  ])('rejects %s', (_name, text, expected) => {
    expect(code(() => parseCsv(text))).toBe(expected);
  });

  it('names the line of a ragged row', () => {
    expect(() => parseCsv('a,b\n1,2\n3,4\n5\n')).toThrow(/line 4 has 1 fields, the header has 2/);
  });

  it('rejects binary files and oversized input', () => {
    expect(code(() => parseCsvBytes(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 1])))).toBe('NOT_TEXT');
    expect(code(() => parseCsvBytes(new TextEncoder().encode('a\n1\n'), { maxChars: 3 }))).toBe('TOO_LARGE');
    // binary garbage without a NUL in it: control bytes give it away
    const garbage = new Uint8Array(4096);
    let x = 12345;
    for (let i = 0; i < garbage.length; i++) garbage[i] = 1 + ((x = (x * 1103515245 + 12345) >>> 0) % 255);
    expect(code(() => parseCsvBytes(garbage))).toBe('NOT_TEXT');
    // a text file with a few stray control characters is still text
    expect(parseCsvBytes(new TextEncoder().encode('a,b\n1,x\u0007y\n' + '2,3\n'.repeat(200))).rowCount).toBe(201);
  });

  it('asks for a header row when the first line holds numbers', () => {
    expect(() => parseCsv('1.5,2,3e4\n4,5,6\n')).toThrow(/holds numbers, not column names/);
    expect(code(() => parseCsv('1\n2\n'))).toBe('NO_HEADER');
    // a header with some numeric names is fine (years as column names, say)
    expect(parseCsv('city,2019,2020\nx,1,2\n').columns.map((c) => c.name)).toEqual(['city', '2019', '2020']);
  });
});

describe('decimal commas', () => {
  it('reads "1,5" as 1.5 in a semicolon-separated file', () => {
    const t = parseCsv('carat;price;cut\n0,23;326;Ideal\n1,5;2 757;Premium\n-0,5e1;NA;Good\n2;,25;Fair\n');
    const carat = t.columns[0];
    expect(carat.kind).toBe('numeric');
    expect(Array.from(carat.values as Float64Array)).toEqual([0.23, 1.5, -5, 2]);
    // "2 757" (a space as thousands separator) is not a number: the column stays text, and says where
    expect(t.columns[1]).toMatchObject({ kind: 'text', firstText: { row: 1, value: '2 757' } });
    expect(t.columns[2].kind).toBe('text');
  });

  it('reads decimal commas in a tab-separated file, and a mix of points and commas', () => {
    const t = parseCsv('a\tb\n1,25\t3.5\n2.5\t4,75\n');
    expect(Array.from(t.columns[0].values as Float64Array)).toEqual([1.25, 2.5]);
    expect(Array.from(t.columns[1].values as Float64Array)).toEqual([3.5, 4.75]);
  });

  it('keeps a comma-separated file as it was: a quoted "1,5" is text there', () => {
    const t = parseCsv('a,b\n"1,5",2\n3,4\n');
    expect(t.columns[0]).toMatchObject({ kind: 'text', firstText: { row: 0, value: '1,5' } });
    expect(Array.from(t.columns[1].values as Float64Array)).toEqual([2, 4]);
  });

  it('does not read two commas or a thousands-grouped number as a decimal', () => {
    const t = parseCsv('a;b\n1,2,3;1.234,5\n');
    expect(t.columns[0].kind).toBe('text');
    expect(t.columns[1].kind).toBe('text');
  });

  it('asks for a header when the first line of a semicolon file holds decimal-comma numbers', () => {
    expect(code(() => parseCsv('1,5;2,5\n3;4\n', { delimiter: ';' }))).toBe('NO_HEADER');
  });
});

describe('feature matrix', () => {
  it('refuses text columns unless dropped, naming the column and a value', () => {
    const table = txhousing();
    expect(() => toFeatureMatrix(table)).toThrow(/column "city" is not numeric \(data row 1: "Abilene"\); drop it/);
    const m = toFeatureMatrix(table, { dropColumns: ['city'] });
    expect(m.cols).toBe(8);
    expect(m.rows).toBe(8602);
    expect([m.values[0], m.values[1]]).toEqual([2000, 1]); // year and month of the first row
  });

  it('refuses unknown drop columns and an empty selection', () => {
    const table = parseCsv('a,b\n1,2\n');
    expect(code(() => toFeatureMatrix(table, { dropColumns: ['c'] }))).toBe('UNKNOWN_COLUMN');
    expect(code(() => toFeatureMatrix(table, { dropColumns: ['a', 'b'] }))).toBe('NO_FEATURES');
  });

  it('a column of text in a numeric-looking file is found wherever it starts', () => {
    const table = parseCsv('a,b\n1,2\n3,oops\n');
    expect(() => toFeatureMatrix(table)).toThrow(/column "b" is not numeric \(data row 2: "oops"\)/);
  });
});
