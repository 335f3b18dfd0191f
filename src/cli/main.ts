/**
 * learnware-dock CLI entry: dispatches subcommands, prints `error[CODE]: message` on one line and
 * exits non-zero on failure (1: bad input or data, 2: usage). The only place with process exits.
 */
import { DockError, setModelHost } from '../engine/index.js';
import { nodeModelHost, runTimeoutFromEnvironment } from './model-host.js';
import { CATALOG_HELP, catalogCommand } from './commands/catalog.js';
import { MMD_HELP, mmdCommand } from './commands/mmd.js';
import { SEARCH_HELP, searchCommand } from './commands/search.js';
import { EVALUATE_HELP, evaluateCommand, PREDICT_HELP, predictCommand, REUSE_HELP, reuseCommand } from './commands/reuse.js';
import { CHECK_HELP, checkCommand, PACK_HELP, packCommand } from './commands/pack.js';
import { SPEC_HELP, specCommand } from './commands/spec.js';

const HELP = `learnware-dock <command> [options]

Commands:
  spec <data.csv | texts | images> [--out spec.json]   build a table, text or image RKME specification
  mmd <a.json> <b.json>               squared MMD between two specifications
  pack --model --train --semantic --out   pack and check a learnware bundle
  check <bundle.zip>                  run the usability checker on a bundle
  catalog build|add                   write or extend a static catalog directory
  search --catalog --data             find learnwares (singles and a mixture) for a CSV file
  reuse --catalog --data --method     predict a CSV file with found learnwares (5 reuse methods)
  evaluate --catalog --data --label-column   every reuse method vs a model trained from scratch
  predict <composite.zip> --data      predict with a reused model saved by reuse --save

Tables (data, --data, --train) may be CSV, TSV or Parquet files; Parquet is recognised by its content.
Texts may go wherever a table goes: a folder of .txt files (sub-folders are labels), a zip of them,
JSON Lines ({"text", "label"} per line), or a table with --text-column (docs/text.md).
Images may go there too: a folder of .png/.jpg/.jpeg files (sub-folders are classes), a zip of
them, or one image file (docs/image.md); a folder of .txt files stays texts.
Run learnware-dock <command> --help for the options of a command.`;

/** A command returns its exit code, or nothing for 0; errors are thrown as DockError. */
const COMMANDS: Record<string, { run: (argv: readonly string[]) => Promise<number | void>; help: string }> = {
  spec: { run: specCommand, help: SPEC_HELP },
  mmd: { run: mmdCommand, help: MMD_HELP },
  pack: { run: packCommand, help: PACK_HELP },
  check: { run: checkCommand, help: CHECK_HELP },
  catalog: { run: catalogCommand, help: CATALOG_HELP },
  search: { run: searchCommand, help: SEARCH_HELP },
  reuse: { run: reuseCommand, help: REUSE_HELP },
  evaluate: { run: evaluateCommand, help: EVALUATE_HELP },
  predict: { run: predictCommand, help: PREDICT_HELP },
};

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP + '\n');
    return name === undefined ? 2 : 0;
  }
  // own properties only: COMMANDS.constructor and COMMANDS.__proto__ are Object's, not commands
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`error[USAGE]: unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help + '\n');
    return 0;
  }
  try {
    // every model of a bundle runs in a worker thread that is stopped at its time limit (docs/security.md)
    setModelHost(nodeModelHost({ maxTimeoutMs: runTimeoutFromEnvironment() }));
    return (await command.run(rest)) ?? 0;
  } catch (error) {
    if (error instanceof DockError) {
      process.stderr.write(`error[${error.code}]: ${oneLine(error.message)}\n`);
      return error.code === 'USAGE' ? 2 : 1;
    }
    process.stderr.write(`error[INTERNAL]: ${oneLine(error instanceof Error ? error.message : String(error))}\n`);
    return 1;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
