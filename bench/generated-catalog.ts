/**
 * The generated sketch-layout islands of `npm run bench:search`: specs from
 * tests/shared/synthetic-catalog.ts, cards with a minimal semantic spec. Spec and card files are
 * pure functions of (catalog, i), so the benchmark server produces them on request instead of
 * storing a million of each (41 GB of specs at d = 50); the head and lists are real build output.
 * Search-only catalogs: the cards point at bundles that are not served.
 */
import { RKME_TABLE_TYPE, type CatalogCard, type Island } from '../src/engine/index.js';
import { syntheticScale, syntheticSpec, type SyntheticCatalog } from '../tests/shared/synthetic-catalog.js';

export function islandId(c: SyntheticCatalog): string {
  return `${RKME_TABLE_TYPE}-d${c.d}-generated${c.count}`;
}

/** The island as its spec type sees it (no layout yet): for sketching its members. */
export function islandView(c: SyntheticCatalog): Island {
  return islandOf(c, { file: 'sketch/none.bin', sha256: '0'.repeat(64), size: 0 });
}

export function islandOf(c: SyntheticCatalog, head: { file: string; sha256: string; size: number }): Island {
  return {
    id: islandId(c),
    type: RKME_TABLE_TYPE,
    d: c.d,
    features: Array.from({ length: c.d }, (_, f) => `x${f}`),
    settings: { gamma: c.gamma, scale: Array.from(syntheticScale(c)) },
    sketch: head,
    count: c.count,
  };
}

const encoder = new TextEncoder();

export function cardBytes(c: SyntheticCatalog, i: number): Uint8Array {
  const hash = ((i * 2654435761) >>> 0).toString(16).padStart(8, '0').repeat(8);
  const card: CatalogCard = {
    id: `generated-${i}`,
    name: `Generated learnware ${i}`,
    bundle: { file: `bundles/${hash}.zip`, sha256: hash, size: 0 },
    island: islandId(c),
    semantic: {
      Data: { Type: 'Class', Values: ['Table'] },
      Task: { Type: 'Class', Values: ['Regression'] },
      Library: { Type: 'Class', Values: ['Others'] },
      Scenario: { Type: 'Tag', Values: ['Others'] },
      License: { Type: 'Class', Values: ['Others'] },
      Name: { Type: 'String', Values: `Generated learnware ${i}` },
      Description: { Type: 'String', Values: 'Generated for the search benchmark.' },
      Input: { Dimension: c.d, Description: {} },
      Output: { Dimension: 1, Description: {} },
    },
    output: { kind: 'regression', classes: null, width: 1 },
    numPoints: 1000 + (i % 9000),
    K: c.K,
    createdAt: '2026-01-01T00:00:00.000Z',
  };
  return encoder.encode(JSON.stringify(card) + '\n');
}

export { syntheticSpec };
