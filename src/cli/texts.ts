/**
 * Texts given on the command line (docs/text.md §1): a folder of .txt files (read here, since the
 * engine never touches the file system), a zip of them, JSON Lines, or a table's text column
 * (--text-column). Every command that takes a table takes these; the texts come back embedded
 * (docs/text.md §2) and with their languages (§3), ready for a text spec, search or reuse.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  corpusLanguages,
  EMBEDDER_FILE,
  embedTextDataset,
  InputError,
  loaderFor,
  parseWordVectors,
  textsFromFiles,
  textsFromTable,
  TEXT_LIMITS,
  type NamedFile,
  type ParsedTable,
  type ParsedTexts,
  type TextDataset,
  type WordVectors,
} from '../engine/index.js';
import { stringOption, usage, type ParsedArgs } from './args.js';
import { readFolder, readInput } from './files.js';
import { nodeLanguageIdentifier } from './language.js';

const JSON_LINES = /\.(jsonl|ndjson)$/i;
const TEXT_FILE = /\.txt$/i;
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/** The package root (src/cli/ is two levels down), where public/embedders/ lives. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What the options given with texts may not be (they only make sense for a table's columns). */
const TABLE_ONLY = ['drop-columns', 'map', 'map-only', 'fill-missing', 'scale'];

/**
 * Whether `file` holds texts: a directory, JSON Lines, a zip, or any table read with
 * --text-column. Everything else is a table, read exactly as before.
 */
export function isTextInput(file: string, args: ParsedArgs): boolean {
  if (args.options.has('text-column')) return true;
  let stat;
  try {
    stat = statSync(file);
  } catch {
    return false; // the table reader names the missing file
  }
  if (stat.isDirectory()) return true;
  if (JSON_LINES.test(file)) return true;
  return stat.isFile() && startsWithZipMagic(file);
}

function startsWithZipMagic(file: string): boolean {
  const head = new Uint8Array(4);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  return ZIP_MAGIC.every((b, i) => head[i] === b);
}

export interface ReadTextsOptions {
  /** no progress lines on standard error */
  quiet?: boolean;
}

/** The texts of `file`, embedded by the dock's embedder and with their corpus languages. */
export async function readTexts(file: string, args: ParsedArgs, options: ReadTextsOptions = {}): Promise<TextDataset> {
  for (const name of TABLE_ONLY) if (args.options.has(name)) throw usage(`--${name} applies to tables, not to texts (${file})`);
  const started = Date.now();
  const raw = await readRawTexts(file, args);
  const note = (line: string) => options.quiet || process.stderr.write(`  ${line}\n`);
  const classes = raw.labels ? new Set(raw.labels.filter((l) => l !== null)).size : 0;
  note(`texts: ${raw.rows} from ${file}${classes > 0 ? ` (${classes} labels)` : ''} in ${Date.now() - started} ms`);
  const vectors = loadEmbedder();
  const embedding = Date.now();
  const data = embedTextDataset(vectors, raw);
  const empty = data.embedding!.emptyRows;
  note(`embedding by ${vectors.id} done in ${Date.now() - embedding} ms${empty > 0 ? ` (${empty} texts without a known word)` : ''}`);
  const identifying = Date.now();
  const identifier = await nodeLanguageIdentifier();
  data.languages = corpusLanguages(await identifier.identify(data.texts));
  note(`languages: ${data.languages.join(', ') || 'unknown'} (${Date.now() - identifying} ms)`);
  return data;
}

async function readRawTexts(file: string, args: ParsedArgs): Promise<TextDataset> {
  const textColumn = stringOption(args, 'text-column');
  if (existsSync(file) && statSync(file).isDirectory()) {
    if (textColumn) throw usage(`--text-column names a column of a table; ${file} is a folder of .txt files`);
    return textsFromFiles(readTextFolder(file));
  }
  const bytes = readInput(file);
  const loader = loaderFor(bytes, file);
  if (loader.kind === 'text') {
    if (textColumn) throw usage(`--text-column names a column of a table; ${file} holds ${loader.label}`);
    return ((await loader.load(bytes, file, {})) as ParsedTexts).texts;
  }
  if (!textColumn) throw usage(`${file} is a table; name its text column with --text-column`);
  const table = ((await loader.load(bytes, file, { delimiter: stringOption(args, 'delimiter') })) as ParsedTable).table;
  return textsFromTable(table, textColumn, stringOption(args, 'label-column'));
}

/** A folder's .txt files (docs/text.md §1; readFolder: sorted, hidden files skipped, links not followed), or why it has none. */
function readTextFolder(dir: string): NamedFile[] {
  const files = readFolder(dir, { accept: TEXT_FILE, what: 'texts', maxRecords: TEXT_LIMITS.maxTexts });
  if (!files.some((f) => TEXT_FILE.test(f.path))) {
    const found =
      files.length === 0
        ? 'it is empty'
        : `it holds ${files.length} other file${files.length === 1 ? '' : 's'}: ${files
            .slice(0, 3)
            .map((f) => f.path)
            .join(', ')}${files.length > 3 ? ', …' : ''}`;
    throw new InputError('NO_ROWS', `the folder ${dir} has no .txt files (${found}); put one text per .txt file, in sub-folders named by label`);
  }
  return files;
}

let vectors: WordVectors | undefined;

/**
 * The dock's word vectors (docs/text.md §2.3), from public/embedders/ under the package root. The
 * file is generated, not committed: when it is missing the error says how to make it, rather than
 * building it here, since the script needs a 307 MB devDependency that an install may lack.
 */
export function loadEmbedder(): WordVectors {
  if (vectors) return vectors;
  const path = process.env.LEARNWARE_DOCK_EMBEDDER || join(ROOT, 'public', EMBEDDER_FILE);
  if (!existsSync(path)) {
    throw new InputError('FILE_NOT_FOUND', `texts need the word vectors ${path}, which are missing: make them with "npx tsx scripts/build-embedder.ts" in ${ROOT} (docs/text.md §2.2)`, {
      path,
    });
  }
  vectors = parseWordVectors(readFileSync(path));
  return vectors;
}

/** A text dataset's labels, or an error saying where labels come from. */
export function textLabels(data: TextDataset, file: string): (string | null)[] {
  if (!data.labels || data.labels.every((l) => l === null)) {
    throw new InputError('NO_LABELS', `the texts of ${file} have no labels: put them in sub-folders named by label, give JSON Lines a "label", or name a table's --label-column`);
  }
  return data.labels;
}
