/** `learnware-dock search`: statistical search of a catalog (directory or URL) for a CSV file or texts. */
import { loadCatalogIndex, parseMapOverride, searchCatalog, tableDataset, type CatalogSearchIsland } from '../../engine/index.js';
import { catalogSource } from '../files.js';
import { listOption, numberOption, parseArgs, stringOption, usage } from '../args.js';
import { readSearchMatrix } from '../features.js';
import { nodeBackend } from '../node-backend.js';
import { isImageInput, readImages } from '../images.js';
import { isTextInput, readTexts } from '../texts.js';

export const SEARCH_HELP = `learnware-dock search --catalog <dir|url> --data <user.csv | texts | images> [options]

Builds the RKME of your data locally (it never leaves this machine) under the common scale of each
catalog island your columns reach, then ranks that island's learnwares by squared MMD with an
absolute score (docs/search.md) and looks for a mixture (weights included). Your columns need not
carry the catalog's names or units: they are matched to each island's columns by names,
descriptions and statistics, with unit maps (docs/heterogeneous.md); an island you cover only in
part is compared on the columns you have, and ranked by coverage. Non-numeric columns are ignored.

Texts (docs/text.md §5): --data may be a folder of .txt files, a zip of them, JSON Lines or a
table with --text-column. They are embedded and their languages identified here; only text
islands of the same embedder are searched, and a learnware whose languages lack one of yours is
not compared (warning NOT_COMPARED). --map, --map-only and --drop-columns apply to tables only.

Images (docs/image.md §5): --data may be a folder of .png/.jpg/.jpeg files (sub-folders are
classes, ignored here), a zip of them, or one image. Only image islands of the same feature network
and channels are searched; the JSON has the same shape as for tables.

Options:
  --label-column y      leave the label out of the features
  --text-column C       read the table's column C as texts
  --drop-columns a,b    further columns to leave out
  --map "a=x,b=y*0.0929,c=z*1.8+32"
                        fix column pairs (your column = island column, optional *factor and
                        +offset: island value = factor · yours + offset); other columns are
                        still matched
  --map-only            use only the --map pairs
  --text "words"        semantic query over names, descriptions and feature descriptions
                        (typo-tolerant); only matching learnwares are ranked
  --task T, --scenario S, --license L, --library B
                        semantic filters; comma-separated values are alternatives
  --top N               singles to print per island (default 10)
  --probe N             sketch-layout islands: inverted lists scanned (default 12)
  --rerank N            sketch-layout islands: candidates re-ranked by exact MMD² (default 160)
  --json                print JSON (docs/search.md, "JSON output"): {islands: [{island, features,
                        mapping: {pairs: [{user, island, factor, offset, confidence, source,
                        unit?}], missing, ignored}, coverage: {used, of, fraction}, via?,
                        singles: [{id, name, mmd2, score, rank}], mixture: {ids, weights, mmd2,
                        score} | null, recommended, warnings, sketch?}], skipped}`;

export async function searchCommand(argv: readonly string[]): Promise<void> {
  const args = parseArgs(
    argv,
    ['catalog', 'data', 'label-column', 'drop-columns', 'top', 'delimiter', 'text', 'task', 'scenario', 'license', 'library', 'probe', 'rerank', 'map', 'text-column'],
    ['json', 'map-only'],
  );
  const catalog =
    stringOption(args, 'catalog') ??
    (() => {
      throw usage('search needs --catalog <dir|url>');
    })();
  const data =
    stringOption(args, 'data') ??
    (() => {
      throw usage('search needs --data <file.csv | texts | images>');
    })();
  const positive = (name: string) => numberOption(args, name, (v) => Number.isInteger(v) && v >= 1, 'a positive integer');
  const top = positive('top') ?? 10;
  const probe = positive('probe');
  const rerank = positive('rerank');
  const images = isImageInput(data, args) ? await readImages(data, args) : undefined;
  const texts = !images && isTextInput(data, args) ? await readTexts(data, args) : undefined;
  const { matrix, skipped } = texts || images ? { matrix: undefined, skipped: [] as string[] } : await readSearchMatrix(data, args);
  const given = stringOption(args, 'map');
  const map = given === undefined ? undefined : parseMapOverride(given);
  if (args.options.has('map-only') && !map) throw usage('--map-only needs --map');

  const { fetchFn, base } = catalogSource(catalog);
  const index = await loadCatalogIndex(fetchFn, base);
  const { backend } = await nodeBackend(undefined);
  const output = await searchCatalog({
    index,
    fetchFn,
    base,
    backend,
    data: images ?? texts ?? tableDataset(matrix!),
    top,
    probe,
    rerank,
    map,
    onlyGiven: args.options.has('map-only'),
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
    process.stdout.write(JSON.stringify({ islands, skipped }, null, 2) + '\n');
    return;
  }
  if (skipped.length > 0) process.stderr.write(`note: non-numeric columns ignored: ${skipped.join(', ')}\n`);
  for (const island of output) {
    // a text island's "columns" are the embedder's dimensions (docs/text.md §5): name the embedder, not 100 columns
    const columns = images
      ? `images (${images.channels === 1 ? 'grey' : 'colour'}) through the feature network ${island.features[0]?.split(':')[0] ?? ''} (${island.features.length} features)`
      : texts
        ? `texts embedded by ${texts.embedding!.embedder.id} (${island.features.length} dimensions), languages ${texts.languages?.join(', ') || 'unknown'}`
        : island.features.join(', ');
    process.stdout.write(`island ${island.island}: ${columns}\n`);
    for (const line of mappingLines(island)) process.stdout.write(`  ${line}\n`);
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

/** The mapping of an island's result in lines for people: pairs with units and confidence, missing, ignored, coverage. */
function mappingLines(island: CatalogSearchIsland): string[] {
  const mapping = island.mapping;
  if (!mapping) return [];
  const changed = mapping.pairs.filter((p) => p.user !== p.island || p.factor !== 1 || p.offset !== 0);
  const lines = changed.map((p) => {
    const unit = p.factor !== 1 || p.offset !== 0 ? ` (${p.unit ?? 'unit map'}: × ${Number(p.factor.toPrecision(6))}${p.offset ? ` + ${Number(p.offset.toPrecision(6))}` : ''})` : '';
    return `${p.user} → ${p.island}${unit}, confidence ${(100 * p.confidence).toFixed(0)} %${p.source === 'given' ? ' (--map)' : ''}`;
  });
  if (mapping.missing.length > 0) lines.push(`missing: ${mapping.missing.join(', ')} (compared without them)`);
  if (mapping.ignored.length > 0) lines.push(`ignored: ${mapping.ignored.join(', ')}`);
  if (island.via) lines.push(`reached through a link from island ${island.via}`);
  if (island.coverage && (changed.length > 0 || lines.length > 0))
    lines.push(`coverage: ${island.coverage.used} of ${island.coverage.of} columns (fraction ${island.coverage.fraction.toFixed(2)})`);
  return lines;
}
