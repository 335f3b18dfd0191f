/** The feature matrix of a CSV given on the command line: --delimiter, --drop-columns and --label-column applied. */
import { labelValues, parseCsvBytes, toFeatureMatrix, type FeatureMatrix } from '../engine/index.js';
import { listOption, stringOption, type ParsedArgs } from './args.js';
import { readInput } from './files.js';

export function readFeatureMatrix(file: string, args: ParsedArgs): FeatureMatrix {
  return readUserTable(file, args).matrix;
}

/** The features and, with --label-column, the label of every row (null where the cell is empty). */
export function readUserTable(file: string, args: ParsedArgs): { matrix: FeatureMatrix; labels: (number | string | null)[] | null } {
  const label = stringOption(args, 'label-column');
  const table = parseCsvBytes(readInput(file), { delimiter: stringOption(args, 'delimiter') });
  const labels = label ? labelValues(table, label) : null;
  const matrix = toFeatureMatrix(table, { dropColumns: [...listOption(args, 'drop-columns'), ...(label ? [label] : [])] });
  return { matrix, labels };
}
