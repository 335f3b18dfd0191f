/**
 * Hostile-input suite: catalog indexes and the CLI paths that read them (issue 17, defects 10 and
 * 11). Limits per verdict: 30 s and 1.5 GB (each case here takes a few seconds; the CLI cases run
 * one catalog build of two small bundles).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildCatalog, checkCatalogIndex, loadCatalogIndex, prepareReuse, type CatalogIndex, type FetchLike } from '../../src/engine/index.js';
import { main } from '../../src/cli/main.js';
import { makeBundle } from '../helpers/bundles.js';

// the suite's limit per verdict (memory: the zip bomb case measures its own; nothing here holds more than ~100 MB)
vi.setConfig({ testTimeout: 30_000 });

let index: CatalogIndex;
let files: Map<string, Uint8Array>;
let bundles: Uint8Array[];
beforeAll(async () => {
  bundles = [(await makeBundle({ id: 'wa' })).bundle, (await makeBundle({ id: 'wb', dataSeed: 7 })).bundle];
  ({ index, files } = await buildCatalog(bundles.map((bytes, i) => ({ file: `${i}.zip`, bytes }))));
});

const hostile = (edit: (i: CatalogIndex & Record<string, unknown>) => void) => {
  const copy = JSON.parse(JSON.stringify(index));
  edit(copy);
  return () => checkCatalogIndex(copy);
};

describe('hostile catalog indexes: refused with a code and a message', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- indexes made hostile
  it.each<[string, string, (i: any) => void]>([
    ['islands: null', 'BAD_INDEX', (i) => (i.islands = null)],
    ['features: null', 'BAD_INDEX', (i) => (i.islands[0].features = null)],
    ['a bad shardIndex', 'BAD_INDEX', (i) => (i.entries[0].shardIndex = 'x')],
    ['a scale of 1e-300', 'BAD_INDEX', (i) => (i.islands[0].settings.scale = i.islands[0].settings.scale.map(() => 1e-300))],
    ['shardOffset 10¹²', 'BAD_INDEX', (i) => (i.entries[0].shardOffset = 1e12)],
    ['duplicate ids', 'DUPLICATE_ID', (i) => (i.entries[1].id = i.entries[0].id)],
    ['duplicated features', 'DUPLICATE_COLUMN', (i) => (i.islands[0].features[1] = i.islands[0].features[0])],
    ['an entry running another entry’s bundle', 'DUPLICATE_BUNDLE', (i) => (i.entries[1].bundle = i.entries[0].bundle)],
    ['two entries on one spec', 'BAD_INDEX', (i) => (i.entries[1].shardIndex = i.entries[0].shardIndex)],
    ['a missing semantic spec', 'MISSING_FIELD', (i) => delete i.entries[0].semantic],
    ['a missing output kind', 'MISSING_FIELD', (i) => delete i.entries[0].output.kind],
    ['output: null', 'MISSING_FIELD', (i) => (i.entries[0].output = null)],
    ['a class name with a CR', 'BAD_CLASS_NAME', (i) => (i.entries[0].output.classes = ['a\r=1', 'b'])],
    ['an entry id "constructor" twice', 'DUPLICATE_ID', (i) => (i.entries[0].id = i.entries[1].id = 'constructor')],
  ])('%s → %s', (_, code, edit) => {
    expect(hostile(edit)).toThrow(expect.objectContaining({ code, message: expect.stringMatching(/^catalog\.json: /) }));
  });

  it('the well-formed index passes', () => {
    expect(() => checkCatalogIndex(JSON.parse(JSON.stringify(index)))).not.toThrow();
  });

  it('a BOM before catalog.json is read, not refused as "not a json file"', async () => {
    const withBom = new Map(files);
    withBom.set('catalog.json', new Uint8Array([0xef, 0xbb, 0xbf, ...files.get('catalog.json')!]));
    const fetchFn: FetchLike = async (url) => {
      const bytes = withBom.get(new URL(url).pathname.replace(/^\/catalog\//, ''));
      return bytes ? new Response(bytes as Uint8Array<ArrayBuffer>, { status: 200, headers: { 'content-type': 'application/json' } }) : new Response('', { status: 404 });
    };
    expect((await loadCatalogIndex(fetchFn, 'http://h/catalog/')).entries).toHaveLength(2);
  });
});

describe('hostile catalog entries at reuse', () => {
  it('an entry whose bundle holds another learnware is refused (BUNDLE_MISMATCH), not run', async () => {
    const wb = index.entries.find((e) => e.id === 'wb')!;
    const fetchFn: FetchLike = async (url) => {
      const bytes = files.get(new URL(url).pathname.replace(/^\/catalog\//, ''));
      return bytes ? new Response(bytes as Uint8Array<ArrayBuffer>, { status: 200, headers: { 'content-type': 'application/zip' } }) : new Response('', { status: 404 });
    };
    const run = prepareReuse({ fetchFn, catalogUrl: 'http://h/catalog/', choice: { refs: [{ id: 'wa', bundle: wb.bundle }] } } as Parameters<typeof prepareReuse>[0]);
    await expect(run).rejects.toMatchObject({ code: 'BUNDLE_MISMATCH', message: expect.stringMatching(/entry wa points to the bundle of wb/) });
  });
});

describe('hostile input to the CLI', () => {
  let out = '';
  let err = '';
  const run = async (...argv: string[]) => {
    out = '';
    err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    try {
      return await main(argv);
    } finally {
      vi.restoreAllMocks();
    }
  };
  afterEach(() => vi.restoreAllMocks());

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('the command name %s is an unknown command (USAGE), with or without --help', async (name) => {
    expect(await run(name)).toBe(2);
    expect(err).toMatch(new RegExp(`^error\\[USAGE\\]: unknown command "${name}"`));
    expect(await run(name, '--help')).toBe(2);
    expect(out).not.toMatch(/undefined/);
  });

  it('catalog build repairs a corrupted file already at a target name, saying so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lwd-hostile-'));
    mkdirSync(join(dir, 'in'));
    bundles.forEach((b, i) => writeFileSync(join(dir, 'in', `${i}.zip`), b));
    const target = join(dir, 'cat', index.entries[0].bundle.file);
    mkdirSync(join(dir, 'cat', 'bundles'), { recursive: true });
    writeFileSync(target, 'corrupted');
    expect(await run('catalog', 'build', join(dir, 'in'), '--out', join(dir, 'cat'))).toBe(0);
    expect(err).toMatch(/warning\[REPAIRED\]/);
    expect(new Uint8Array(readFileSync(target))).toEqual(bundles[indexOfBundle(0)]);
    expect(readdirSync(join(dir, 'cat', 'bundles'))).toHaveLength(2);
  });

  it.each<[string, (i: Record<string, unknown> & CatalogIndex) => void]>([
    ['islands: null', (i) => ((i as Record<string, unknown>).islands = null)],
    ['a bad shardIndex', (i) => ((i.entries[0] as unknown as Record<string, unknown>).shardIndex = 'x')],
    ['features: null', (i) => ((i.islands[0] as unknown as Record<string, unknown>).features = null)],
  ])('catalog add on an index with %s ends in error[BAD_INDEX], not INTERNAL', async (_, edit) => {
    const dir = mkdtempSync(join(tmpdir(), 'lwd-hostile-'));
    mkdirSync(join(dir, 'in'));
    writeFileSync(join(dir, 'in', 'a.zip'), bundles[0]);
    writeFileSync(join(dir, 'b.zip'), bundles[1]);
    expect(await run('catalog', 'build', join(dir, 'in'), '--out', join(dir, 'cat'))).toBe(0);
    const indexPath = join(dir, 'cat', 'catalog.json');
    const hostileIndex = JSON.parse(readFileSync(indexPath, 'utf8'));
    edit(hostileIndex);
    writeFileSync(indexPath, JSON.stringify(hostileIndex));
    expect(await run('catalog', 'add', join(dir, 'cat'), join(dir, 'b.zip'))).toBe(1);
    expect(err).toMatch(/^error\[BAD_INDEX\]: catalog\.json: /);
  });

  it('a deeply nested semantic.json is TOO_DEEP, not INTERNAL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lwd-hostile-'));
    writeFileSync(join(dir, 'semantic.json'), `{"Extra":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    writeFileSync(join(dir, 'train.csv'), 'a,b\n1,2\n');
    writeFileSync(join(dir, 'model.onnx'), new Uint8Array(8));
    expect(await run('pack', '--model', join(dir, 'model.onnx'), '--train', join(dir, 'train.csv'), '--semantic', join(dir, 'semantic.json'), '--out', join(dir, 'o.zip'))).toBe(1);
    expect(err).toMatch(/^error\[TOO_DEEP\]/);
  });
});

/** Which of `bundles` the index's entry i stands for (catalog order is by island, then id). */
function indexOfBundle(i: number): number {
  const id = index.entries[i].id;
  return id === 'wa' ? 0 : 1;
}
