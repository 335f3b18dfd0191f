/** The demo image catalog's data (docs/image.md §6): Fashion-MNIST, the protocol's 50 developers and 100 users, the holdout zips. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readZip } from '../../src/engine/index.js';
import {
  DEVELOPER_IMAGES,
  DEVELOPER_SHARES,
  DEVELOPERS,
  FASHION_CLASSES,
  holdoutUsers,
  HOLDOUT_USERS,
  imageDevelopers,
  imageUsers,
  loadFashionMnist,
  partyImages,
  shareCounts,
  USER_IMAGES,
  USER_SHARES,
  USERS,
  writeImageHoldout,
  type ImageParty,
} from '../../scripts/demo-image-sources.js';

const data = loadFashionMnist();
const developers = imageDevelopers(data.train);
const users = imageUsers(data.test);

/** per class of the party, how many of its images carry that label */
const labelCounts = (split: typeof data.train, p: ImageParty) => p.classes.map((c) => Array.from(p.indices).filter((r) => split.labels[r] === c).length);

describe('Fashion-MNIST', () => {
  it('has 60,000 training and 10,000 test images of 28×28, 6,000 and 1,000 per class', () => {
    expect(data.train.rows).toBe(60000);
    expect(data.test.rows).toBe(10000);
    expect(data.train.images.length).toBe(60000 * 784);
    expect(data.test.images.length).toBe(10000 * 784);
    for (let c = 0; c < 10; c++) {
      expect(data.train.labels.filter((l) => l === c).length).toBe(6000);
      expect(data.test.labels.filter((l) => l === c).length).toBe(1000);
    }
    expect(FASHION_CLASSES).toHaveLength(10);
    // names are folder names (no separator) and distinct
    expect(FASHION_CLASSES.filter((c) => /[/\\]/.test(c))).toEqual([]);
    expect(new Set(FASHION_CLASSES).size).toBe(10);
    // real pictures: dark backgrounds (the corners) and bright garments
    const first = data.train.images.subarray(0, 784);
    expect([first[0], first[27], first[756], first[783]]).toEqual([0, 0, 0, 0]);
    expect(first.some((v) => v > 200)).toBe(true);
  });
});

describe('the protocol', () => {
  it('50 developers: 4 distinct classes each, 400/400/100/100 training images of those classes', () => {
    expect(developers).toHaveLength(DEVELOPERS);
    expect(new Set(developers.map((d) => d.id)).size).toBe(DEVELOPERS);
    expect(shareCounts(DEVELOPER_IMAGES, DEVELOPER_SHARES)).toEqual([400, 400, 100, 100]);
    for (const d of developers) {
      expect(new Set(d.classes).size).toBe(4);
      expect(d.counts).toEqual([400, 400, 100, 100]);
      expect(d.indices).toHaveLength(DEVELOPER_IMAGES);
      expect(new Set(d.indices).size).toBe(DEVELOPER_IMAGES); // no image twice
      expect(labelCounts(data.train, d)).toEqual([400, 400, 100, 100]);
      expect(Array.from(d.indices).every((r) => r >= 0 && r < data.train.rows)).toBe(true);
    }
    // the draws vary: many class sets, every class somewhere among the majority classes
    expect(new Set(developers.map((d) => [...d.classes].sort().join())).size).toBeGreaterThan(30);
    expect(new Set(developers.flatMap((d) => d.classes.slice(0, 2))).size).toBe(10);
  });

  it('100 users: 6 distinct classes each, 90/90/30/30/30/30 test images of those classes', () => {
    expect(users).toHaveLength(USERS);
    expect(new Set(users.map((u) => u.id)).size).toBe(USERS);
    expect(shareCounts(USER_IMAGES, USER_SHARES)).toEqual([90, 90, 30, 30, 30, 30]);
    for (const u of users) {
      expect(new Set(u.classes).size).toBe(6);
      expect(u.indices).toHaveLength(USER_IMAGES);
      expect(new Set(u.indices).size).toBe(USER_IMAGES);
      expect(labelCounts(data.test, u)).toEqual([90, 90, 30, 30, 30, 30]);
      expect(Array.from(u.indices).every((r) => r >= 0 && r < data.test.rows)).toBe(true);
    }
    expect(new Set(users.map((u) => [...u.classes].sort().join())).size).toBeGreaterThan(50);
  });

  it('larger users of another group (the benchmark curve: 3,000 images, as the reference users have): 900/900/300×4', () => {
    const curve = imageUsers(data.test, { count: 3, images: 3000, group: 'curve' });
    expect(curve.map((u) => u.id)).toEqual(['fashion-curve-001', 'fashion-curve-002', 'fashion-curve-003']);
    for (const u of curve) {
      expect(new Set(u.indices).size).toBe(3000);
      expect(labelCounts(data.test, u)).toEqual([900, 900, 300, 300, 300, 300]);
    }
    expect(curve.map((u) => u.classes)).not.toEqual(users.slice(0, 3).map((u) => u.classes));
  });

  it('seeds every party by its own name: developers and users never share a seed or a stream', () => {
    const curve = imageUsers(data.test, { count: 5, images: 3000, group: 'curve' });
    const seeds = [...developers, ...users, ...curve].map((p) => p.seedName);
    expect(new Set(seeds).size).toBe(DEVELOPERS + USERS + 5);
    // two developers with the same classes still draw different images
    const first = developers[0];
    const twin = imageDevelopers(data.train).find((d) => d.id !== first.id && d.classes.join() === first.classes.join());
    if (twin) expect(Array.from(twin.indices)).not.toEqual(Array.from(first.indices));
    expect(Array.from(developers[1].indices.subarray(0, 50))).not.toEqual(Array.from(developers[0].indices.subarray(0, 50)));
  });

  it('draws the same parties on every run', () => {
    const again = imageDevelopers(loadFashionMnist().train);
    expect(again.map((d) => [d.id, d.classes, Array.from(d.indices)])).toEqual(developers.map((d) => [d.id, d.classes, Array.from(d.indices)]));
    expect(imageUsers(data.test).map((u) => Array.from(u.indices))).toEqual(users.map((u) => Array.from(u.indices)));
  });

  it('gathers a party’s pixels and class names in its order', () => {
    const d = developers[3];
    const { pixels, labels } = partyImages(data.train, d);
    expect(pixels.length).toBe(DEVELOPER_IMAGES * 784);
    const r = d.indices[1234];
    expect(Array.from(pixels.subarray(1234 * 784, 1235 * 784))).toEqual(Array.from(data.train.images.subarray(r * 784, (r + 1) * 784)));
    expect(labels[0]).toBe(FASHION_CLASSES[d.classes[0]]);
    expect(labels.at(-1)).toBe(FASHION_CLASSES[d.classes[3]]);
  });
});

describe('writeImageHoldout', () => {
  it('writes one zip of PNGs in class folders per user and index.json, the same bytes each time', () => {
    const chosen = holdoutUsers(users).slice(0, 2);
    expect(holdoutUsers(users)).toHaveLength(HOLDOUT_USERS);
    const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'image-holdout-')));
    try {
      const entries = writeImageHoldout(data.test, chosen, dirs[0]);
      writeImageHoldout(data.test, [...chosen].reverse(), dirs[1]);
      const files = readdirSync(dirs[0]).sort();
      expect(files).toEqual(['fashion-user-001.zip', 'fashion-user-011.zip', 'index.json']);
      for (const f of files) expect(readFileSync(join(dirs[1], f)).equals(readFileSync(join(dirs[0], f)))).toBe(true);
      const index = JSON.parse(readFileSync(join(dirs[0], 'index.json'), 'utf8')) as { entries: typeof entries };
      expect(index.entries).toEqual(entries);
      for (const e of entries) {
        const user = chosen.find((u) => u.id === e.id)!;
        const zip = readZip(new Uint8Array(readFileSync(join(dirs[0], e.file))), { maxEntries: 1000, names: 'user' });
        expect(zip.size).toBe(USER_IMAGES);
        const names = [...zip.keys()];
        expect(names).toEqual([...names].sort());
        // folder = class: the counts per folder are the user's proportions
        const perClass = e.classes.map((c) => names.filter((n) => n.startsWith(`${c}/`)).length);
        expect(perClass).toEqual([90, 90, 30, 30, 30, 30]);
        expect(e.classes).toEqual(user.classes.map((c) => FASHION_CLASSES[c]));
        // a PNG whose name is its test-set index, 28×28 greyscale (IHDR: width, height, depth 8, colour type 0)
        const [name, png] = [...zip][0];
        const r = Number(name.slice(name.indexOf('/') + 1, -4));
        expect(FASHION_CLASSES[data.test.labels[r]]).toBe(name.slice(0, name.indexOf('/')));
        expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
        const view = new DataView(png.buffer, png.byteOffset);
        expect([view.getUint32(16), view.getUint32(20), png[24], png[25]]).toEqual([28, 28, 8, 0]);
      }
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
});
