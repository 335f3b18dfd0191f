/** `learnware-dock mmd`: squared MMD between two stat.json files. */
import { InputError, parseStatSpec, squaredMmd, type RkmeTableSpec } from '../../engine/index.js';
import { parseArgs, stringOption, usage } from '../args.js';
import { readInput } from '../files.js';

export const MMD_HELP = `learnware-dock mmd <a.json> <b.json> [--scale common|raw|a|b]

Prints the squared MMD between two table specifications (stat.json, as written by this tool or
by the Python learnware package), computed with the first spec's gamma (both must agree).

Options:
  --scale common   compare under the specs' common feature scale; they must agree (default)
  --scale raw      compare in raw feature units (as the Python package does)
  --scale a | b    compare under the first or the second spec's scale`;

export async function mmdCommand(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, ['scale']);
  if (args.positionals.length !== 2) throw usage('mmd needs exactly two stat.json files');
  const [a, b] = args.positionals.map(loadSpec);
  const mode = stringOption(args, 'scale') ?? 'common';
  let scale: Float64Array | 'raw' | undefined;
  if (mode === 'raw') scale = 'raw';
  else if (mode === 'a' || mode === 'b') {
    const chosen = (mode === 'a' ? a : b).scale;
    if (!chosen) throw new InputError('NO_SCALE', `spec ${mode} has no feature scale; use --scale raw`);
    scale = chosen;
  } else if (mode !== 'common') throw usage(`--scale must be common, raw, a or b, got ${JSON.stringify(mode)}`);
  process.stdout.write(`${squaredMmd(a, b, { scale })}\n`);
}

function loadSpec(file: string): RkmeTableSpec {
  const text = new TextDecoder().decode(readInput(file, 64 * 2 ** 20));
  try {
    return parseStatSpec(text);
  } catch (error) {
    if (error instanceof Error) error.message = `${file}: ${error.message}`;
    throw error;
  }
}
