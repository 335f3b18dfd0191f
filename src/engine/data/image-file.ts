/**
 * Reading a user's images (docs/image.md §1): a folder or a zip of PNG/JPEG files, one image per
 * file, in sorted path order. When the files sit in sub-folders, the sub-folder's name is the
 * image's label (the image-folder convention), after the folder that wraps everything (a zipped
 * folder) is set aside — as texts do (data/text-file.ts). Files without a .png/.jpg/.jpeg name are
 * left out and listed in `skipped`; a file with such a name that is not a PNG or JPEG is an error.
 * The limits (data/image.ts IMAGE_LIMITS) are checked from the headers before decoding, so an
 * input over them is refused before its pixels are held. Imports core and data only.
 */
import { InputError } from '../core/errors.js';
import { readZip } from '../core/zip.js';
import { decodeImage, imageHeader } from './image-decode.js';
import { IMAGE_LIMITS, imageDataset, type DecodedImage, type ImageDataset, type ImageLimits } from './image.js';
import type { NamedFile } from './text-file.js';

export type { NamedFile } from './text-file.js';

export const IMAGE_FILE = /\.(png|jpe?g)$/i;

/** The images of a folder's files (sorted by path; class sub-folders become labels). */
export function imagesFromFiles(files: readonly NamedFile[], limits: ImageLimits = {}): ImageDataset {
  const sorted = files.slice().sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const images = sorted.filter((f) => IMAGE_FILE.test(f.path));
  const skipped = sorted.filter((f) => !IMAGE_FILE.test(f.path)).map((f) => f.path);
  if (images.length === 0) {
    throw new InputError(
      'NO_ROWS',
      `there are no .png, .jpg or .jpeg files among the ${files.length} files${
        files.length
          ? ` (${sorted
              .slice(0, 3)
              .map((f) => f.path)
              .join(', ')}${files.length > 3 ? ', …' : ''})`
          : ''
      }`,
    );
  }
  const maxImages = limits.maxImages ?? IMAGE_LIMITS.maxImages;
  if (images.length > maxImages)
    throw new InputError('TOO_MANY_ROWS', `there are ${images.length} images; the limit is ${maxImages} images (maxImages)`, { rows: images.length, limit: maxImages });
  const maxTotal = limits.maxTotalBytes ?? IMAGE_LIMITS.maxTotalBytes;
  // every header first: an input over the limits is refused before any pixel is decoded
  let total = 0;
  for (const f of images) {
    const h = imageHeader(f.bytes, f.path, limits);
    total += h.width * h.height * h.channels;
    if (total > maxTotal) throw new InputError('TOO_LARGE', `the images decode to more than ${maxTotal} bytes (maxTotalBytes; reached at ${f.path})`, { file: f.path, limit: maxTotal });
  }
  const decoded: DecodedImage[] = images.map((f) => decodeImage(f.bytes, f.path, limits));
  const parts = images.map((f) => f.path.split('/'));
  // a folder wrapping every file (what zipping a folder gives) is not a label
  let common = 0;
  while (parts.every((p) => p.length > common + 1 && p[common] === parts[0][common])) common++;
  const inFolders = parts.map((p) => p.length > common + 1);
  const labels = inFolders.some(Boolean) ? parts.map((p, i) => (inFolders[i] ? p[common] : null)) : undefined;
  const data = imageDataset(
    decoded,
    images.map((f) => f.path),
    labels,
  );
  data.skipped = skipped;
  return data;
}

/** The images of a zip (user-archive name rules: core/zip.ts; __MACOSX/ and dot files are skipped there), as imagesFromFiles reads a folder. */
export function imagesFromZip(bytes: Uint8Array, fileName: string, limits: ImageLimits = {}): ImageDataset {
  const entries = readZip(bytes, { names: 'user', noun: fileName, maxEntries: (limits.maxImages ?? IMAGE_LIMITS.maxImages) + 1000 });
  return imagesFromFiles(
    [...entries].map(([path, data]) => ({ path, bytes: data })),
    limits,
  );
}
