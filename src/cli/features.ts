/** The feature matrix of a CSV given on the command line: --delimiter, --drop-columns and --label-column applied. */
import { InputError, parseCsvBytes, toFeatureMatrix, type FeatureMatrix } from '../engine/index.js';
import { listOption, stringOption, type ParsedArgs } from './args.js';
import { readInput } from './files.js';

export function readFeatureMatrix(file: string, args: ParsedArgs): FeatureMatrix {
  return readUserTable(file, args).matrix;
}

/** The features and, with --label-column, the label of every row (null where the cell is empty). */
export function readUserTable(file: string, args: ParsedArgs): { matrix: FeatureMatrix; labels: (number | string | null)[] | null } {
  const label = stringOption(args, 'label-column');
  const table = parseCsvBytes(readInput(file), { delimiter: stringOption(args, 'delimiter') });
  const column = label ? table.columns.find((c) => c.name === label) : undefined;
  if (label && !column) throw new InputError('UNKNOWN_COLUMN', `label column "${label}" is not in ${file}`);
  const matrix = toFeatureMatrix(table, { dropColumns: [...listOption(args, 'drop-columns'), ...(label ? [label] : [])] });
  const labels = column
    ? column.kind === 'numeric'
      ? Array.from(column.values, (v) => (Number.isFinite(v) ? v : null))
      : column.values.map((v) => (/^\s*(|na|n\/a|nan|null|none)\s*$/i.test(v) ? null : v))
    : null;
  return { matrix, labels };
}
