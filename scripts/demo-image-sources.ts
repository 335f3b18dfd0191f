/**
 * The data behind the demo image catalog (docs/image.md §6): Fashion-MNIST (Debian's
 * dataset-fashion-mnist, MIT; scripts/ensure-fashion-mnist.sh installs it), the 50 developers
 * (learnwares) and the 100 users of the reference's image protocol. Shared by the catalog build
 * (scripts/build-demo-image.ts) and the image benchmark, so both see the same images. Every draw is
 * the engine's Prng seeded by FNV-1a of a name, as in scripts/demo-sources.ts.
 *  - loadFashionMnist: the 60,000 training and 10,000 test images (28×28 grey) with their labels;
 *  - imageDevelopers: 50 developers, each 4 random classes in proportions 0.4/0.4/0.1/0.1 of
 *    DEVELOPER_IMAGES training images (each class's images drawn without replacement);
 *  - imageUsers: 100 users, each 6 random classes in 0.3/0.3/0.1/0.1/0.1/0.1 of USER_IMAGES test images;
 *  - writeImageHoldout: some users' images as zips of PNGs in class folders, for the page.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Prng, writeZip } from '../src/engine/index.js';
import { readIdx } from '../src/engine/data/idx.js';
import { fnv1a } from './demo-sources.js';
import { encodePng } from './png-encode.js';

export const FASHION_MNIST_DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';

/** Fashion-MNIST's 10 classes, by label (0–9); names fit a folder name (the image-folder convention: folder = class). */
export const FASHION_CLASSES = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot'] as const;
export type FashionClass = (typeof FASHION_CLASSES)[number];

export const IMAGE_SIDE = 28;
export const DEVELOPERS = 50;
export const USERS = 100;
/** training images per developer */
export const DEVELOPER_IMAGES = 1000;
/** test images per user */
export const USER_IMAGES = 300;
/** a developer's class shares, in the order its classes were drawn */
export const DEVELOPER_SHARES = [0.4, 0.4, 0.1, 0.1];
/** a user's class shares, in the order its classes were drawn */
export const USER_SHARES = [0.3, 0.3, 0.1, 0.1, 0.1, 0.1];
/** users whose images go to the page's holdout (every USERS / HOLDOUT_USERS-th one) */
export const HOLDOUT_USERS = 10;

export interface FashionSplit {
  /** n × 28 × 28 bytes */
  images: Uint8Array;
  /** n labels 0–9 */
  labels: Uint8Array;
  rows: number;
}

export interface FashionMnist {
  train: FashionSplit;
  test: FashionSplit;
}

/** A developer or a user: its classes (labels, in draw order: the first are the largest), its images (indices into its split). */
export interface ImageParty {
  /** `fashion-NN` (developers, 01–50) or `fashion-user-NNN` (users, 001–100) */
  id: string;
  /** the Prng seed's name */
  seedName: string;
  classes: number[];
  /** per class (same order), how many images it has */
  counts: number[];
  /** indices into the split, class by class in `classes` order, each class's in draw order */
  indices: Int32Array;
}

/** One user's held-out images in the image holdout's index.json. */
export interface ImageHoldoutEntry {
  id: string;
  /** `<user id>.zip`: `<class>/<split index>.png` entries */
  file: string;
  rows: number;
  /** the user's classes, in its draw order (the first two hold 30 % each) */
  classes: FashionClass[];
}

function loadSplit(dir: string, prefix: 'train' | 't10k'): FashionSplit {
  const images = readIdx(new Uint8Array(readFileSync(join(dir, `${prefix}-images-idx3-ubyte.gz`))));
  const labels = readIdx(new Uint8Array(readFileSync(join(dir, `${prefix}-labels-idx1-ubyte.gz`))));
  if (images.dims.length !== 3 || images.dims[1] !== IMAGE_SIDE || images.dims[2] !== IMAGE_SIDE) throw new Error(`${prefix} images are ${images.dims.join('×')}, not n×28×28`);
  if (labels.dims.length !== 1 || labels.dims[0] !== images.dims[0]) throw new Error(`${prefix}: ${labels.dims[0]} labels for ${images.dims[0]} images`);
  if (labels.data.some((l) => l > 9)) throw new Error(`${prefix}: a label is not 0–9`);
  return { images: images.data, labels: labels.data, rows: images.dims[0] };
}

/** The 60,000 training and 10,000 test images (run scripts/ensure-fashion-mnist.sh when they are missing). */
export function loadFashionMnist(dir = FASHION_MNIST_DIR): FashionMnist {
  return { train: loadSplit(dir, 'train'), test: loadSplit(dir, 't10k') };
}

/** Per class, the split's indices of its images, ascending. */
function byClass(split: FashionSplit): Int32Array[] {
  const lists: number[][] = Array.from({ length: FASHION_CLASSES.length }, () => []);
  split.labels.forEach((l, i) => lists[l].push(i));
  return lists.map((l) => Int32Array.from(l));
}

/** Image counts for `total` images in `shares` (rounded; the first class takes the rounding's remainder). */
export function shareCounts(total: number, shares: readonly number[]): number[] {
  const counts = shares.map((s) => Math.round(total * s));
  counts[0] += total - counts.reduce((a, b) => a + b, 0);
  return counts;
}

/** One party: its classes drawn from the 10, then each class's images, all from one Prng seeded by FNV-1a of `seedName`. */
function drawParty(id: string, seedName: string, pools: readonly Int32Array[], total: number, shares: readonly number[]): ImageParty {
  const prng = new Prng(fnv1a(seedName));
  const classes = Array.from(prng.sampleWithoutReplacement(FASHION_CLASSES.length, shares.length));
  const counts = shareCounts(total, shares);
  const indices = new Int32Array(total);
  let at = 0;
  classes.forEach((c, k) => {
    for (const i of prng.sampleWithoutReplacement(pools[c].length, counts[k])) indices[at++] = pools[c][i];
  });
  return { id, seedName, classes, counts, indices };
}

/** 50 developers on the training split: 4 classes each, DEVELOPER_IMAGES images in 0.4/0.4/0.1/0.1. */
export function imageDevelopers(train: FashionSplit): ImageParty[] {
  const pools = byClass(train);
  return Array.from({ length: DEVELOPERS }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    return drawParty(`fashion-${n}`, `fashion-mnist developer ${n}`, pools, DEVELOPER_IMAGES, DEVELOPER_SHARES);
  });
}

/**
 * 100 users on the test split: 6 classes each, USER_IMAGES images in 0.3/0.3/0.1/0.1/0.1/0.1. Other
 * user groups (the benchmark's labelled-data curve takes larger users, as the reference's 3,000) have
 * a group name of their own: ids `fashion-<group>-NNN`, seeds `fashion-mnist <group> NNN`.
 */
export function imageUsers(test: FashionSplit, options: { count?: number; images?: number; group?: string } = {}): ImageParty[] {
  const { count = USERS, images = USER_IMAGES, group = 'user' } = options;
  const pools = byClass(test);
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(3, '0');
    return drawParty(`fashion-${group}-${n}`, `fashion-mnist ${group} ${n}`, pools, images, USER_SHARES);
  });
}

/** The users whose images the page's holdout holds: every (USERS / HOLDOUT_USERS)-th, from the first. */
export function holdoutUsers(users: readonly ImageParty[]): ImageParty[] {
  const stride = Math.max(1, Math.floor(users.length / HOLDOUT_USERS));
  return users.filter((_, i) => i % stride === 0).slice(0, HOLDOUT_USERS);
}

/** The party's images as one buffer, n × 28 × 28, in `indices` order, with their class names. */
export function partyImages(split: FashionSplit, party: ImageParty): { pixels: Uint8Array; labels: FashionClass[] } {
  const size = IMAGE_SIDE * IMAGE_SIDE;
  const pixels = new Uint8Array(party.indices.length * size);
  party.indices.forEach((r, i) => pixels.set(split.images.subarray(r * size, (r + 1) * size), i * size));
  return { pixels, labels: Array.from(party.indices, (r) => FASHION_CLASSES[split.labels[r]]) };
}

/** The user's images as a zip of PNGs in class folders: `<class>/<split index, 5 digits>.png`, sorted by path. */
export function userZip(test: FashionSplit, user: ImageParty): Uint8Array {
  const size = IMAGE_SIDE * IMAGE_SIDE;
  const entries: [string, Uint8Array][] = Array.from(user.indices, (r) => [
    `${FASHION_CLASSES[test.labels[r]]}/${String(r).padStart(5, '0')}.png`,
    encodePng(IMAGE_SIDE, IMAGE_SIDE, 1, test.images.subarray(r * size, (r + 1) * size)),
  ]);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return writeZip(entries);
}

/**
 * Writes each user's images to `<dir>/<user id>.zip` (userZip) and `<dir>/index.json` (entries
 * sorted by id). Creates `dir`; other files in it are left alone, so give it a directory of its own.
 */
export function writeImageHoldout(test: FashionSplit, users: readonly ImageParty[], dir: string): ImageHoldoutEntry[] {
  mkdirSync(dir, { recursive: true });
  const sorted = [...users].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const entries = sorted.map((u) => {
    const file = `${u.id}.zip`;
    writeFileSync(join(dir, file), userZip(test, u));
    return { id: u.id, file, rows: u.indices.length, classes: u.classes.map((c) => FASHION_CLASSES[c]) };
  });
  writeFileSync(join(dir, 'index.json'), `{"entries": [\n${entries.map((e) => '  ' + JSON.stringify(e)).join(',\n')}\n]}\n`);
  return entries;
}
