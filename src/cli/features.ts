/** The feature matrix of a CSV given on the command line: --delimiter, --drop-columns and --label-column applied. */
import { InputError, parseCsvBytes, toFeatureMatrix, type FeatureMatrix } from '../engine/index.js';
import { listOption, stringOption, type ParsedArgs } from './args.js';
import { readInput } from './files.js';

export function readFeatureMatrix(file: string, args: ParsedArgs): FeatureMatrix {
  const label = stringOption(args, 'label-column');
  const table = parseCsvBytes(readInput(file), { delimiter: stringOption(args, 'delimiter') });
  if (label && !table.columns.some((c) => c.name === label)) throw new InputError('UNKNOWN_COLUMN', `label column "${label}" is not in ${file}`);
  return toFeatureMatrix(table, { dropColumns: [...listOption(args, 'drop-columns'), ...(label ? [label] : [])] });
}
