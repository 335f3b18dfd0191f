/**
 * Images given on the command line (docs/image.md §1): a folder of PNG/JPEG files (read here, since
 * the engine never touches the file system; class sub-folders are labels), a zip whose entries are
 * mostly images, or one .png/.jpg file. Every command that takes a table takes these. Checked before
 * texts (src/cli/texts.ts), so a folder of .txt files stays texts. The images come back decoded, in
 * sorted path order, and — when a command's methods see rows (reuse, evaluate, predict) — with their
 * features ψ computed on the Node backend (docs/image.md §2).
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  decodeImage,
  IMAGE_FILE,
  IMAGE_LIMITS,
  imageDataset,
  imageFeatureNames,
  imageFeatures,
  imagesFromFiles,
  imagesFromZip,
  InputError,
  isImageZip,
  isJpeg,
  isPng,
  type ImageDataset,
} from '../engine/index.js';
import { usage, type ParsedArgs } from './args.js';
import { readFolder, readInput } from './files.js';
import { nodeBackend } from './node-backend.js';

const TEXT_FILE = /\.txt$/i;
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
/** bytes of an image zip at most (the decoded pixels have their own limit, IMAGE_LIMITS.maxTotalBytes) */
const MAX_ZIP_BYTES = 2 ** 30;

/** What the options given with images may not be: they name a table's columns or a text model's tokens. */
const TABLE_ONLY = ['drop-columns', 'map', 'map-only', 'fill-missing', 'scale', 'delimiter', 'text-column', 'label-column', 'vocab', 'max-length'];

/**
 * Whether `file` holds images: a folder with more .png/.jpg/.jpeg files than .txt files
 * (recursively), a zip whose entries are mostly images, or one PNG or JPEG file (by name or
 * content). --text-column always means a table's texts.
 */
export function isImageInput(file: string, args: ParsedArgs): boolean {
  if (args.options.has('text-column')) return false;
  let stat;
  try {
    stat = statSync(file);
  } catch {
    return false; // the table reader names the missing file
  }
  if (stat.isDirectory()) {
    const { images, texts } = countFolder(file);
    return images > 0 && images > texts;
  }
  if (!stat.isFile()) return false;
  if (IMAGE_FILE.test(file)) return true;
  const head = readHead(file, 8);
  if (isPng(head) || isJpeg(head)) return true;
  if (!ZIP_MAGIC.every((b, i) => head[i] === b) || stat.size > MAX_ZIP_BYTES) return false;
  return isImageZip(readInput(file, MAX_ZIP_BYTES));
}

/** Image and .txt files under a folder (hidden ones and links aside), stopping once either count is past what a folder may hold. */
function countFolder(dir: string): { images: number; texts: number } {
  const counts = { images: 0, texts: 0 };
  const cap = IMAGE_LIMITS.maxImages + 1000;
  const walk = (abs: string) => {
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.') || counts.images + counts.texts > cap) continue;
      if (entry.isDirectory()) walk(join(abs, entry.name));
      else if (entry.isFile()) {
        if (IMAGE_FILE.test(entry.name)) counts.images++;
        else if (TEXT_FILE.test(entry.name)) counts.texts++;
      }
    }
  };
  walk(dir);
  return counts;
}

function readHead(file: string, length: number): Uint8Array {
  const head = new Uint8Array(length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, length, 0);
  } finally {
    closeSync(fd);
  }
  return head;
}

export interface ReadImagesOptions {
  /** no progress lines on standard error */
  quiet?: boolean;
  /** compute the images' features ψ (docs/image.md §2): the rows the reuse methods see */
  features?: boolean;
}

/** The images of `file` (a folder, a zip or one PNG/JPEG), in sorted path order; their features when asked. */
export async function readImages(file: string, args: ParsedArgs, options: ReadImagesOptions = {}): Promise<ImageDataset> {
  for (const name of TABLE_ONLY)
    if (args.options.has(name)) throw usage(`--${name} applies to ${name === 'vocab' || name === 'max-length' ? 'text models' : 'tables or texts'}, not to images (${file})`);
  const note = (line: string) => options.quiet || process.stderr.write(`  ${line}\n`);
  const started = Date.now();
  const data = readRawImages(file);
  const classes = data.labels ? new Set(data.labels.filter((l) => l !== null)).size : 0;
  const sizes = new Set(data.images.map((i) => `${i.width}×${i.height}`));
  note(
    `images: ${data.rows} from ${file} (${data.channels === 1 ? 'grey' : 'colour'}, ${sizes.size === 1 ? [...sizes][0] : `${sizes.size} sizes`}${classes > 0 ? `, ${classes} classes` : ''}) in ${Date.now() - started} ms`,
  );
  const skipped = data.skipped ?? [];
  if (skipped.length > 0) {
    // a note on stderr even with --quiet: a file left out silently would be a surprise
    process.stderr.write(
      `note: ${skipped.length} file${skipped.length === 1 ? '' : 's'} of ${file} ${skipped.length === 1 ? 'is' : 'are'} not .png/.jpg/.jpeg and left out: ${skipped.slice(0, 3).join(', ')}${skipped.length > 3 ? ', …' : ''}\n`,
    );
  }
  if (options.features) {
    const computing = Date.now();
    const { backend } = await nodeBackend(undefined);
    data.features = await imageFeatures(backend, data);
    note(`features ${data.features.network} (${data.features.dim} per image) on ${backend.name} in ${Date.now() - computing} ms`);
  }
  return data;
}

function readRawImages(file: string): ImageDataset {
  let stat;
  try {
    stat = statSync(file);
  } catch (error) {
    throw new InputError('FILE_NOT_FOUND', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (stat.isDirectory())
    return named(file, () => imagesFromFiles(readFolder(file, { accept: IMAGE_FILE, what: 'images', maxRecords: IMAGE_LIMITS.maxImages, maxFileBytes: IMAGE_LIMITS.maxFileBytes })));
  const bytes = readInput(file, MAX_ZIP_BYTES);
  if (isPng(bytes) || isJpeg(bytes) || IMAGE_FILE.test(file)) {
    if (bytes.length > IMAGE_LIMITS.maxFileBytes) throw new InputError('TOO_LARGE', `${file} is ${bytes.length} bytes; the limit for one image is ${IMAGE_LIMITS.maxFileBytes}`);
    // the message of a damaged file names it as given; the prediction's `file` is its name
    return imageDataset([decodeImage(bytes, file)], [basename(file)]);
  }
  return named(file, () => imagesFromZip(bytes, basename(file)));
}

/** Runs a reader; an error about a file inside the input (its path relative to it) also names the input. */
function named<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof Error && !error.message.includes(file)) error.message = `${file}: ${error.message}`;
    throw error;
  }
}

/** An image dataset's labels (their class folders), or an error saying where labels come from. */
export function imageLabels(data: ImageDataset, file: string): (string | null)[] {
  if (!data.labels || data.labels.every((l) => l === null)) {
    throw new InputError('NO_LABELS', `the images of ${file} have no labels: put them in sub-folders named by class (e.g. coat/001.png, shirt/002.png)`);
  }
  return data.labels;
}

/** The rows the reuse methods see for images: their features ψ, named as the image island's features. */
export function imageRowsMatrix(data: ImageDataset): { values: Float64Array; rows: number; featureNames: string[] } {
  const features = data.features!;
  return { values: features.values, rows: data.rows, featureNames: imageFeatureNames(data.channels, features.network) };
}

/**
 * The predictions CSV of images (docs/image.md §5): the shared writer's CSV (formula-neutralised
 * cells) with the images' paths as `file` and without its `row` column, so the header is
 * `file,prediction,p(<class>)…`. The row cell is a plain number and no cell holds a line break
 * (class names and paths are checked for control characters), so each line loses its first cell.
 */
export function imagePredictionsCsv(csv: string): string {
  return csv
    .split('\n')
    .map((line) => (line === '' ? line : line.slice(line.indexOf(',') + 1)))
    .join('\n');
}
