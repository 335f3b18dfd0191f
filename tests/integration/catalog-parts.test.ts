/**
 * A catalog built in parts (docs/catalog-format.md, "Building in parts"): `catalog build --part i/n`
 * on n shares of a bundles directory, then `catalog merge`, writes the same bytes as one `catalog
 * build` of the whole directory (SOURCE_DATE_EPOCH fixes the creation time). The bundles are real:
 * three of each island of the fresh demo catalog (tables, texts, images). Then the merge's refusals:
 * a missing part, a part of another build, a bundle changed after its part checked it.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CatalogIndex } from '../../src/engine/index.js';
import { catalogTree as tree } from '../helpers/catalog-tree.js';
import { cliInProcess } from '../helpers/cli-in-process.js';
import { ok } from '../helpers/cli.js';

let dir: string;
let bundles: string;
const epoch = process.env.SOURCE_DATE_EPOCH;

beforeAll(() => {
  process.env.SOURCE_DATE_EPOCH = '1767225600'; // 2026-01-01T00:00:00Z
  const built = inject('freshDemoCatalog');
  const index = JSON.parse(readFileSync(join(built.catalog, 'catalog.json'), 'utf8')) as CatalogIndex;
  dir = mkdtempSync(join(tmpdir(), 'lwd-parts-'));
  bundles = join(dir, 'bundles');
  mkdirSync(bundles);
  for (const island of index.islands) {
    for (const entry of index.entries.filter((e) => e.island === island.id).slice(0, 3)) copyFileSync(join(built.catalog, entry.bundle.file), join(bundles, `${entry.id}.zip`));
  }
});
afterAll(() => {
  if (epoch === undefined) delete process.env.SOURCE_DATE_EPOCH;
  else process.env.SOURCE_DATE_EPOCH = epoch;
});

describe('catalog build --part and catalog merge', () => {
  it('three parts merged are byte for byte the catalog one build writes', async () => {
    const whole = join(dir, 'whole');
    ok(await cliInProcess('catalog', 'build', bundles, '--out', whole));
    const parts = [1, 2, 3].map((i) => join(dir, `part-${i}`));
    const sizes: number[] = [];
    for (const [k, part] of parts.entries()) {
      const result = ok(await cliInProcess('catalog', 'build', bundles, '--part', `${k + 1}/3`, '--out', part));
      const usable = Number(/: (\d+) USABLE, 0 not, of 12 bundles/.exec(result.stdout)?.[1]);
      sizes.push(usable);
    }
    expect(sizes).toEqual([4, 4, 4]);
    const merged = join(dir, 'merged');
    // the parts in any order
    const result = ok(await cliInProcess('catalog', 'merge', parts[2], parts[0], parts[1], '--out', merged));
    expect(result.stdout).toMatch(/12 learnwares in 4 islands, from 3 parts/);
    const a = tree(whole);
    const b = tree(merged);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [path, bytes] of a) expect(b.get(path)!.equals(bytes), path).toBe(true);
    const index = JSON.parse(a.get('catalog.json')!.toString('utf8')) as CatalogIndex;
    expect(index.createdAt).toBe('2026-01-01T00:00:00.000Z');
    expect(index.islands.map((i) => i.type).sort()).toEqual(['RKMEImageSpecification', 'RKMETableSpecification', 'RKMETableSpecification', 'RKMETextSpecification']);
  });

  it('refuses a missing part, a part of another build, a changed bundle and a bad --part', async () => {
    const parts = [1, 2].map((i) => join(dir, `part-${i}`));
    const missing = await cliInProcess('catalog', 'merge', ...parts, '--out', join(dir, 'x'));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/PART_MISSING.*parts 3\/3 are missing; nothing written/);

    // another directory (one bundle fewer) gives parts of another build
    const fewer = join(dir, 'fewer');
    mkdirSync(fewer);
    for (const name of readdirSync(bundles).slice(1)) copyFileSync(join(bundles, name), join(fewer, name));
    ok(await cliInProcess('catalog', 'build', fewer, '--part', '3/3', '--out', join(dir, 'other-3')));
    const other = await cliInProcess('catalog', 'merge', ...parts, join(dir, 'other-3'), '--out', join(dir, 'x'));
    expect(other.stderr).toMatch(/PART_MISMATCH.*of another build/);

    // a bundle of part 3 replaced by another bundle after the part was written
    const part3 = join(dir, 'part-3');
    const listed = JSON.parse(readFileSync(join(part3, 'part.json'), 'utf8')) as { usable: { sha256: string }[] };
    const first = readdirSync(join(dir, 'part-1', 'bundles'))[0];
    writeFileSync(join(part3, 'bundles', `${listed.usable[0].sha256}.zip`), readFileSync(join(dir, 'part-1', 'bundles', first)));
    const changed = await cliInProcess('catalog', 'merge', ...parts, part3, '--out', join(dir, 'x'));
    expect(changed.stderr).toMatch(/HASH_MISMATCH.*is not the bundle .* that part 3\/3 checked; nothing written/);

    for (const bad of ['0/3', '4/3', '1/0', 'half']) {
      const result = await cliInProcess('catalog', 'build', bundles, '--part', bad, '--out', join(dir, 'x'));
      expect(result.stderr, bad).toMatch(/--part must be i\/n with 1 ≤ i ≤ n/);
    }
    expect(() => statSync(join(dir, 'x'))).toThrow();
  });
});
