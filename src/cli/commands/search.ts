/** `learnware-dock search`: statistical search of a catalog (directory or URL) for a CSV file. */
import { loadCatalogIndex, searchCatalog, tableDataset } from '../../engine/index.js';
import { catalogSource } from '../files.js';
import { listOption, numberOption, parseArgs, stringOption, usage } from '../args.js';
import { readFeatureMatrix } from '../features.js';
import { nodeBackend } from '../node-backend.js';

export const SEARCH_HELP = `learnware-dock search --catalog <dir|url> --data user.csv [options]

Builds the RKME of your data locally (it never leaves this machine) under the common scale of each
catalog island whose features match your columns by name, then ranks that island's learnwares by
squared MMD with an absolute score (docs/search.md) and looks for a mixture (weights included).

Options:
  --label-column y      leave the label out of the features
  --drop-columns a,b    further columns to leave out
  --text "words"        semantic query over names, descriptions and feature descriptions
                        (typo-tolerant); only matching learnwares are ranked
  --task T, --scenario S, --license L, --library B
                        semantic filters; comma-separated values are alternatives
  --top N               singles to print per island (default 10)
  --probe N             sketch-layout islands: inverted lists scanned (default 12)
  --rerank N            sketch-layout islands: candidates re-ranked by exact MMD² (default 160)
  --json                print JSON (docs/search.md, "JSON output"): {islands: [{island, features,
                        singles: [{id, name, mmd2, score}], mixture: {ids, weights, mmd2, score}
                        | null, recommended, warnings, sketch?}]}`;

export async function searchCommand(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, ['catalog', 'data', 'label-column', 'drop-columns', 'top', 'delimiter', 'text', 'task', 'scenario', 'license', 'library', 'probe', 'rerank'], ['json']);
  const catalog =
    stringOption(args, 'catalog') ??
    (() => {
      throw usage('search needs --catalog <dir|url>');
    })();
  const data =
    stringOption(args, 'data') ??
    (() => {
      throw usage('search needs --data <file.csv>');
    })();
  const positive = (name: string) => numberOption(args, name, (v) => Number.isInteger(v) && v >= 1, 'a positive integer');
  const top = positive('top') ?? 10;
  const probe = positive('probe');
  const rerank = positive('rerank');
  const matrix = await readFeatureMatrix(data, args);

  const { fetchFn, base } = catalogSource(catalog);
  const index = await loadCatalogIndex(fetchFn, base);
  const { backend } = await nodeBackend(undefined);
  const output = await searchCatalog({
    index,
    fetchFn,
    base,
    backend,
    data: tableDataset(matrix),
    top,
    probe,
    rerank,
    query: {
      text: stringOption(args, 'text'),
      Task: listOption(args, 'task'),
      Scenario: listOption(args, 'scenario'),
      License: listOption(args, 'license'),
      Library: listOption(args, 'library'),
    },
  });
  if (args.options.has('json')) {
    // the picture (projected points) is for the page, not for scripts
    const islands = output.map(({ picture: _picture, ...island }) => island);
    process.stdout.write(JSON.stringify({ islands }, null, 2) + '\n');
    return;
  }
  for (const island of output) {
    process.stdout.write(`island ${island.island}: ${island.features.join(', ')}\n`);
    process.stdout.write(`${'rank'.padEnd(5)}${'id'.padEnd(28)}${'name'.padEnd(34)}${'MMD²'.padEnd(12)}score\n`);
    island.singles.forEach((s, i) => {
      process.stdout.write(`${String(i + 1).padEnd(5)}${s.id.slice(0, 27).padEnd(28)}${s.name.slice(0, 33).padEnd(34)}${s.mmd2.toExponential(2).padEnd(12)}${s.score.toFixed(3)}\n`);
    });
    for (const warning of island.warnings ?? []) process.stderr.write(`warning[${warning.code}]: ${warning.message}\n`);
    if (island.sketch) process.stdout.write(`sketch index: ${island.sketch.lists} lists, ${island.sketch.scanned} sketches scanned, ${island.sketch.specs} specs re-ranked\n`);
    if (island.mixture) {
      const parts = island.mixture.ids.map((id, i) => `${id} ${island.mixture!.weights[i].toFixed(3)}`).join(', ');
      process.stdout.write(
        `mixture${island.recommended === 'mixture' ? ' (recommended)' : ''}: ${parts}; MMD² ${island.mixture.mmd2.toExponential(2)}, score ${island.mixture.score.toFixed(3)}\n`,
      );
    }
  }
}
