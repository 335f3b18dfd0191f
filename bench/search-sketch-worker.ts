/** worker_threads helper of bench/search.bench.ts: sketches members [from, to) of a generated island. */
import { parentPort, workerData } from 'node:worker_threads';
import { allocateSketches, islandSketchParams, sketchMember } from '../src/engine/index.js';
import type { SyntheticCatalog } from '../tests/shared/synthetic-catalog.js';
import { cardBytes, islandView, syntheticSpec } from './generated-catalog.js';

const { catalog, from, to } = workerData as { catalog: SyntheticCatalog; from: number; to: number };
const island = islandView(catalog);
const params = islandSketchParams(island);
const members = allocateSketches(to - from, 2 * params.pairs);
for (let i = from; i < to; i++) await sketchMember(island, syntheticSpec(catalog, i), cardBytes(catalog, i), params, members, i - from);
parentPort!.postMessage(members, [members.codes.buffer as ArrayBuffer, members.steps.buffer as ArrayBuffer, members.hashes.buffer as ArrayBuffer]);
