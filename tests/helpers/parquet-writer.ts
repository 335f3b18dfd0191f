/**
 * A minimal Parquet writer for tests (hyparquet only reads): thrift compact protocol, one PLAIN
 * data page (v1) per column chunk, OPTIONAL columns with RLE definition levels, no compression.
 */
import type { Table } from '../../src/engine/index.js';

export type Field =
  | [id: number, kind: 'i32' | 'i64', value: number | bigint]
  | [id: number, kind: 'bin', value: string | Uint8Array]
  | [id: number, kind: 'struct', value: Field[]]
  | [id: number, kind: 'list', element: 'i32' | 'bin' | 'struct', items: unknown[]];

export const CODES = { i32: 5, i64: 6, bin: 8, list: 9, struct: 12 } as const;

export function varint(out: number[], n: bigint): void {
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
}

export function thriftValue(out: number[], kind: keyof typeof CODES, value: unknown, items?: unknown[]): void {
  if (kind === 'i32' || kind === 'i64') {
    const n = BigInt(value as number | bigint);
    varint(out, n >= 0n ? n << 1n : (-n << 1n) - 1n);
  } else if (kind === 'bin') {
    const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : (value as Uint8Array);
    varint(out, BigInt(bytes.length));
    for (const b of bytes) out.push(b);
  } else if (kind === 'struct') {
    thriftStruct(value as Field[], out);
  } else {
    const element = value as 'i32' | 'bin' | 'struct';
    const list = items!;
    if (list.length < 15) out.push((list.length << 4) | CODES[element]);
    else {
      out.push(0xf0 | CODES[element]);
      varint(out, BigInt(list.length));
    }
    for (const item of list) thriftValue(out, element, item);
  }
}

export function thriftStruct(fields: Field[], out: number[] = []): number[] {
  let last = 0;
  for (const field of fields) {
    out.push(((field[0] - last) << 4) | CODES[field[1]]);
    last = field[0];
    thriftValue(out, field[1], field[2], field[3] as unknown[] | undefined);
  }
  out.push(0);
  return out;
}

export function fileWithFooter(body: number[], footer: Field[]): Uint8Array {
  const meta = thriftStruct(footer);
  const bytes = new Uint8Array(4 + body.length + meta.length + 8);
  bytes.set([0x50, 0x41, 0x52, 0x31]);
  bytes.set(body, 4);
  bytes.set(meta, 4 + body.length);
  new DataView(bytes.buffer).setUint32(4 + body.length + meta.length, meta.length, true);
  bytes.set([0x50, 0x41, 0x52, 0x31], bytes.length - 4);
  return bytes;
}

/** A file with a schema (schema elements as thrift fields) and row groups without column chunks. */
export function footerOnly(schema: Field[][], numRows = 0n, groupRows: bigint[] = []): Uint8Array {
  return fileWithFooter(
    [],
    [
      [1, 'i32', 1],
      [2, 'list', 'struct', schema],
      [3, 'i64', numRows],
      [
        4,
        'list',
        'struct',
        groupRows.map((rows): Field[] => [
          [1, 'list', 'struct', []],
          [2, 'i64', 0n],
          [3, 'i64', rows],
        ]),
      ],
    ],
  );
}

export type PhysicalType = 'BOOLEAN' | 'INT32' | 'INT64' | 'DOUBLE' | 'BYTE_ARRAY' | 'FIXED_LEN_BYTE_ARRAY';
export interface TestColumn {
  name: string;
  type: PhysicalType;
  converted?: 'UTF8' | 'DATE' | 'TIMESTAMP_MILLIS' | 'TIMESTAMP_MICROS';
  values: (number | bigint | boolean | string | Uint8Array | null)[];
}
export const TYPE_CODES: Record<PhysicalType, number> = { BOOLEAN: 0, INT32: 1, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6, FIXED_LEN_BYTE_ARRAY: 7 };
export const CONVERTED_CODES = { UTF8: 0, DATE: 6, TIMESTAMP_MILLIS: 9, TIMESTAMP_MICROS: 10 };

export function plainValues(column: TestColumn, values: TestColumn['values']): number[] {
  const out: number[] = [];
  const present = values.filter((v) => v !== null);
  if (column.type === 'BOOLEAN') {
    for (let i = 0; i < present.length; i += 8) {
      let byte = 0;
      for (let b = 0; b < 8 && i + b < present.length; b++) if (present[i + b]) byte |= 1 << b;
      out.push(byte);
    }
    return out;
  }
  for (const v of present) {
    const cell = new DataView(new ArrayBuffer(8));
    if (column.type === 'INT32') {
      cell.setInt32(0, v as number, true);
      out.push(...new Uint8Array(cell.buffer, 0, 4));
    } else if (column.type === 'INT64') {
      cell.setBigInt64(0, v as bigint, true);
      out.push(...new Uint8Array(cell.buffer));
    } else if (column.type === 'DOUBLE') {
      cell.setFloat64(0, v as number, true);
      out.push(...new Uint8Array(cell.buffer));
    } else if (column.type === 'FIXED_LEN_BYTE_ARRAY') {
      out.push(...(v as Uint8Array));
    } else {
      const bytes = new TextEncoder().encode(v as string);
      cell.setUint32(0, bytes.length, true);
      out.push(...new Uint8Array(cell.buffer, 0, 4));
      for (const b of bytes) out.push(b);
    }
  }
  return out;
}

/** Definition levels (1 = present) as RLE runs, with their 4-byte length prefix. */
export function definitionLevels(values: TestColumn['values']): number[] {
  const runs: number[] = [];
  for (let i = 0; i < values.length;) {
    const level = values[i] === null ? 0 : 1;
    let j = i;
    while (j < values.length && (values[j] === null ? 0 : 1) === level) j++;
    varint(runs, BigInt((j - i) << 1));
    runs.push(level);
    i = j;
  }
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, runs.length, true);
  return [...length, ...runs];
}

export function writeParquet(columns: TestColumn[], groupSizes?: number[], page: { codec?: number; uncompressedPageSize?: number } = {}): Uint8Array {
  const rows = columns[0].values.length;
  const groups = groupSizes ?? [rows];
  const body: number[] = [];
  const rowGroups: Field[][] = [];
  let start = 0;
  for (const size of groups) {
    const chunks: Field[][] = [];
    for (const column of columns) {
      const values = column.values.slice(start, start + size);
      const data = [...definitionLevels(values), ...plainValues(column, values)];
      const header = thriftStruct([
        [1, 'i32', 0],
        [2, 'i32', page.uncompressedPageSize ?? data.length],
        [3, 'i32', data.length],
        [
          5,
          'struct',
          [
            [1, 'i32', values.length],
            [2, 'i32', 0],
            [3, 'i32', 3],
            [4, 'i32', 3],
          ],
        ],
      ]);
      const offset = 4 + body.length;
      for (const b of header) body.push(b);
      for (const b of data) body.push(b);
      const length = header.length + data.length;
      chunks.push([
        [2, 'i64', offset],
        [
          3,
          'struct',
          [
            [1, 'i32', TYPE_CODES[column.type]],
            [2, 'list', 'i32', [0, 3]],
            [3, 'list', 'bin', [column.name]],
            [4, 'i32', page.codec ?? 0],
            [5, 'i64', values.length],
            [6, 'i64', length],
            [7, 'i64', length],
            [9, 'i64', offset],
          ],
        ],
      ]);
    }
    rowGroups.push([
      [1, 'list', 'struct', chunks],
      [2, 'i64', 0],
      [3, 'i64', size],
    ]);
    start += size;
  }
  const schema: Field[][] = [
    [
      [4, 'bin', 'schema'],
      [5, 'i32', columns.length],
    ],
    ...columns.map((c): Field[] => [
      [1, 'i32', TYPE_CODES[c.type]],
      ...(c.type === 'FIXED_LEN_BYTE_ARRAY' ? [[2, 'i32', (c.values[0] as Uint8Array).length] as Field] : []),
      [3, 'i32', 1],
      [4, 'bin', c.name],
      ...(c.converted ? [[6, 'i32', CONVERTED_CODES[c.converted]] as Field] : []),
    ]),
  ];
  return fileWithFooter(body, [
    [1, 'i32', 1],
    [2, 'list', 'struct', schema],
    [3, 'i64', rows],
    [4, 'list', 'struct', rowGroups],
  ]);
}

/** A parsed table written back as Parquet: numeric columns as DOUBLE (NaN → null), text as UTF8. */
export function tableAsParquet(table: Table, groupSizes: number[]): Uint8Array {
  return writeParquet(
    table.columns.map((c): TestColumn =>
      c.kind === 'numeric'
        ? { name: c.name, type: 'DOUBLE', values: Array.from(c.values, (v) => (Number.isNaN(v) ? null : v)) }
        : { name: c.name, type: 'BYTE_ARRAY', converted: 'UTF8', values: c.values.map((v) => (v === '' ? null : v)) },
    ),
    groupSizes,
  );
}
