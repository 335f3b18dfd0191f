/** The feature matrix of a CSV given on the command line: --delimiter, --drop-columns and --label-column applied. */
import { parseCsvBytes, userTable, type FeatureMatrix, type UserTable } from '../engine/index.js';
import { listOption, stringOption, type ParsedArgs } from './args.js';
import { readInput } from './files.js';

export function readFeatureMatrix(file: string, args: ParsedArgs): FeatureMatrix {
  return readUserTable(file, args).matrix;
}

/**
 * The features and, with --label-column, the label of every row (null where the cell is empty);
 * with --fill-missing (commands that accept it), empty feature cells take their column's mean.
 */
export function readUserTable(file: string, args: ParsedArgs): UserTable {
  const table = parseCsvBytes(readInput(file), { delimiter: stringOption(args, 'delimiter') });
  return userTable(table, { dropColumns: listOption(args, 'drop-columns'), labelColumn: stringOption(args, 'label-column'), fillMissing: args.options.has('fill-missing') });
}
