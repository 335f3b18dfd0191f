/** `learnware-dock mmd`: squared MMD between two stat.json files, through their spec type. */
import { InputError, parseStatSpec, specType, type IslandSettings, type StatSpec } from '../../engine/index.js';
import { parseArgs, stringOption, usage } from '../args.js';
import { readInput } from '../files.js';

export const MMD_HELP = `learnware-dock mmd <a.json> <b.json> [--settings common|raw|a|b]

Prints the squared MMD between two specifications of the same type (stat.json, as written by
this tool or by the Python learnware package).

Options:
  --settings common  compare under the specs' own settings; they must agree (default)
  --settings raw     table specs: compare in raw feature units (as the Python package does)
  --settings a | b   compare under the first or the second spec's settings (γ, feature scale)
  --scale            the same option under its earlier name`;

export async function mmdCommand(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, ['settings', 'scale']);
  if (args.positionals.length !== 2) throw usage('mmd needs exactly two stat.json files');
  const [a, b] = args.positionals.map(loadSpec);
  if (a.type !== b.type) throw new InputError('SPEC_TYPE_MISMATCH', `the specs are of different types (${a.type} and ${b.type}); their MMD is not defined`);
  const type = specType(a.type);
  const mode = stringOption(args, 'settings') ?? stringOption(args, 'scale') ?? 'common';
  const own = [type.ownSettings(a), type.ownSettings(b)];
  let settings: IslandSettings;
  if (mode === 'a' || mode === 'b') settings = own[mode === 'a' ? 0 : 1];
  else if (mode === 'raw') settings = { ...own[0], scale: null };
  else if (mode === 'common') {
    if (JSON.stringify(own[0]) !== JSON.stringify(own[1])) {
      throw new InputError(
        'SETTINGS_MISMATCH',
        `the specs were fitted under different settings (${JSON.stringify(own[0])} and ${JSON.stringify(own[1])}); choose one with --settings a, b or raw`,
      );
    }
    settings = own[0];
  } else throw usage(`--settings must be common, raw, a or b, got ${JSON.stringify(mode)}`);
  const mmd2 = type.innerProduct(a, a, settings) - 2 * type.innerProduct(a, b, settings) + type.innerProduct(b, b, settings);
  process.stdout.write(`${mmd2}\n`);
}

function loadSpec(file: string): StatSpec {
  const text = new TextDecoder().decode(readInput(file, 64 * 2 ** 20));
  try {
    return parseStatSpec(text);
  } catch (error) {
    if (error instanceof Error) error.message = `${file}: ${error.message}`;
    throw error;
  }
}
