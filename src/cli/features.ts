/**
 * The feature matrix of a table given on the command line — CSV, TSV or Parquet (recognised by its
 * magic bytes) — with --delimiter (CSV only), --drop-columns and --label-column applied.
 */
import { InputError, loaderFor, toFeatureMatrix, userTable, type FeatureMatrix, type ParsedTable, type UserTable } from '../engine/index.js';
import { listOption, stringOption, type ParsedArgs } from './args.js';
import { readInput } from './files.js';

export async function readFeatureMatrix(file: string, args: ParsedArgs): Promise<FeatureMatrix> {
  return (await readUserTable(file, args)).matrix;
}

/** The numeric columns of a table for search (label and dropped columns left out) and the non-numeric ones it skipped. */
export async function readSearchMatrix(file: string, args: ParsedArgs): Promise<{ matrix: FeatureMatrix; skipped: string[] }> {
  const table = await readTable(file, args);
  const label = stringOption(args, 'label-column');
  const drop = [...(listOption(args, 'drop-columns') ?? []), ...(label ? [label] : [])];
  const matrix = toFeatureMatrix(table, { dropColumns: drop, textColumns: 'skip' });
  return { matrix, skipped: table.columns.filter((c) => c.kind === 'text' && !drop.includes(c.name)).map((c) => c.name) };
}

async function readTable(file: string, args: ParsedArgs): Promise<ParsedTable['table']> {
  const bytes = readInput(file);
  const loader = loaderFor(bytes, file);
  if (loader.kind !== 'table') throw new InputError('NOT_A_TABLE', `${file} holds ${loader.label}; this command reads tables (CSV, TSV, Parquet)`);
  return ((await loader.load(bytes, file, { delimiter: stringOption(args, 'delimiter') })) as ParsedTable).table;
}

/**
 * The features and, with --label-column, the label of every row (null where the cell is empty);
 * with --fill-missing (commands that accept it), empty feature cells take their column's mean.
 */
export async function readUserTable(file: string, args: ParsedArgs): Promise<UserTable> {
  const table = await readTable(file, args);
  return userTable(table, { dropColumns: listOption(args, 'drop-columns'), labelColumn: stringOption(args, 'label-column'), fillMissing: args.options.has('fill-missing') });
}
