/**
 * Parquet on real and large inputs: the real flights-3m.parquet of vega-datasets (3,000,000 rows,
 * ZSTD, 11 row groups) read like hyparquet reads it, its limits and damage; the CLI on Parquet
 * files. Small written files are in tests/unit/parquet.test.ts.
 *
 * The CLI runs in this process (cliInProcess: main() with its output captured, one call at a time),
 * except the damaged file's spec: a real subprocess of bin/learnware-dock.js, for its exit status
 * and one error line with no stack trace.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parquetRead } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { beforeAll, describe, expect, it } from 'vitest';
import { DockError, FormatError, InputError, parseParquetBytes, parseTableSpec, parseTableFile, type Table } from '../../src/engine/index.js';
import { cli } from '../helpers/cli.js';
import { cliInProcess } from '../helpers/cli-in-process.js';
import { TXHOUSING_PATH, txhousing } from '../helpers/data.js';
import { tableAsParquet } from '../helpers/parquet-writer.js';

const FLIGHTS_PATH = fileURLToPath(new URL('../../node_modules/vega-datasets/data/flights-3m.parquet', import.meta.url));
const flightsBytes = new Uint8Array(readFileSync(FLIGHTS_PATH));

async function failure(run: () => Promise<unknown>): Promise<DockError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(DockError);
    return error as DockError;
  }
  throw new Error('expected a DockError');
}

describe('Parquet reader on flights-3m.parquet', () => {
  let flights: Table;
  beforeAll(async () => {
    flights = await parseParquetBytes(flightsBytes);
  });

  it('reads every row and column with the kinds of the CSV reader', () => {
    expect(flights.rowCount).toBe(3_000_000);
    expect(flights.columns.map((c) => [c.name, c.kind])).toEqual([
      ['date', 'numeric'],
      ['delay', 'numeric'],
      ['distance', 'numeric'],
      ['origin', 'text'],
      ['destination', 'text'],
    ]);
    const origin = flights.columns[3];
    expect(origin.kind === 'text' && origin.firstText).toEqual({ row: 0, value: 'LAS' });
    for (const c of flights.columns) {
      expect(c.values.length).toBe(3_000_000);
      if (c.kind === 'numeric') expect(c.values.some(Number.isNaN), c.name).toBe(false);
    }
  });

  it('has the values hyparquet reads (timestamps as ms since the epoch, INT64 as numbers), across row-group boundaries', async () => {
    const groupRows = 272_727; // the file's row groups
    for (const [start, end] of [
      [0, 300],
      [groupRows - 50, groupRows + 50],
      [5 * groupRows - 7, 5 * groupRows + 7],
      [2_999_800, 3_000_000],
    ]) {
      let rows: unknown[][] = [];
      await parquetRead({ file: flightsBytes.slice().buffer, compressors, rowStart: start, rowEnd: end, onComplete: (r) => (rows = r) });
      expect(rows.length).toBe(end - start);
      rows.forEach((row, i) => {
        const r = start + i;
        const [date, delay, distance, origin, destination] = row as [Date, bigint, bigint, string, string];
        expect(flights.columns[0].values[r]).toBe(date.getTime());
        expect(flights.columns[1].values[r]).toBe(Number(delay));
        expect(flights.columns[2].values[r]).toBe(Number(distance));
        expect(flights.columns[3].values[r]).toBe(origin);
        expect(flights.columns[4].values[r]).toBe(destination);
      });
    }
    expect(new Date(flights.columns[0].values[0] as number).toISOString()).toBe('2001-01-01T00:01:00.000Z');
  });

  it('refuses too many rows or cells from the footer, before reading any data', async () => {
    const started = performance.now();
    const rows = await failure(() => parseParquetBytes(flightsBytes, { maxRows: 1_000_000 }));
    expect(rows).toBeInstanceOf(InputError);
    expect(rows.code).toBe('TOO_MANY_ROWS');
    expect(rows.message).toMatch(/3000000 rows; the limit is 1000000/);
    const cells = await failure(() => parseParquetBytes(flightsBytes, { maxCells: 10_000_000 }));
    expect(cells.code).toBe('TOO_MANY_CELLS');
    expect(cells.message).toMatch(/15000000 cells/);
    const big = await failure(() => parseParquetBytes(flightsBytes, { maxUncompressedBytes: 2 ** 20 }));
    expect(big.code).toBe('TOO_LARGE');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('turns a truncated or damaged file into a FormatError with a clear message', async () => {
    const truncated = await failure(() => parseParquetBytes(flightsBytes.subarray(0, flightsBytes.length - 1000)));
    expect(truncated).toBeInstanceOf(FormatError);
    expect(truncated.code).toBe('PARQUET_TRUNCATED');
    expect(truncated.message).toMatch(/truncated or damaged/);
    // also through parseTableFile: PAR1 at the start means Parquet, not a CSV complaint
    expect((await failure(() => parseTableFile(flightsBytes.subarray(0, 5_000_000), 'flights.parquet'))).code).toBe('PARQUET_TRUNCATED');

    // footer intact, data pages overwritten: hyparquet's error comes back as a FormatError naming the column
    const damaged = flightsBytes.slice();
    damaged.fill(0xab, 4, 4 + 400_000);
    const error = await failure(() => parseParquetBytes(damaged));
    expect(error).toBeInstanceOf(FormatError);
    expect(error.code).toBe('PARQUET_DAMAGED');
    expect(error.message).toMatch(/^the Parquet file is damaged or uses a feature this reader lacks: reading column "date" failed \(.+\)$/);

    // footer length pointing outside the file
    const badFooter = flightsBytes.slice();
    new DataView(badFooter.buffer).setUint32(badFooter.length - 8, 0x7fffffff, true);
    const footer = await failure(() => parseParquetBytes(badFooter));
    expect(footer).toBeInstanceOf(FormatError);
    expect(footer.message).toMatch(/reading its footer \(metadata\) failed/);
  });
});

describe('learnware-dock on Parquet files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lwd-parquet-'));
  });

  it('spec gives the same specification for txhousing as Parquet and as CSV', async () => {
    const csv = txhousing();
    const parquetFile = join(dir, 'txhousing.parquet');
    writeFileSync(parquetFile, tableAsParquet(csv, [4000, csv.rowCount - 4000]));
    const options = ['--drop-columns=city,year,month,date', '--scale', 'std', '--k', '20', '--quiet'];
    const fromParquet = await cliInProcess('spec', parquetFile, '--out', join(dir, 'parquet.json'), ...options);
    expect(fromParquet.code, fromParquet.stderr).toBe(0);
    expect(fromParquet.stdout).toMatch(/n=8602 d=5 K=20/);
    const fromCsv = await cliInProcess('spec', TXHOUSING_PATH, '--out', join(dir, 'csv.json'), ...options);
    expect(fromCsv.code, fromCsv.stderr).toBe(0);
    const a = parseTableSpec(readFileSync(join(dir, 'parquet.json'), 'utf8'));
    const b = parseTableSpec(readFileSync(join(dir, 'csv.json'), 'utf8'));
    expect(a.featureNames).toEqual(['sales', 'volume', 'median', 'listings', 'inventory']);
    expect(Array.from(a.z)).toEqual(Array.from(b.z));
    expect(Array.from(a.beta)).toEqual(Array.from(b.beta));
  });

  it('spec reads the real flights-3m.parquet (ZSTD) and names its text columns', async () => {
    const damaged = join(dir, 'damaged.parquet');
    writeFileSync(damaged, flightsBytes.subarray(0, 100_000));
    // the subprocess starts first and runs on another core while this process reads the real file
    const damagedRun = cli('spec', damaged, '--quiet');
    const text = await cliInProcess('spec', FLIGHTS_PATH, '--quiet');
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/^error\[NON_NUMERIC_COLUMN\]: column "origin" is not numeric/);
    const result = await damagedRun;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error\[PARQUET_TRUNCATED\]: the Parquet file is truncated/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
