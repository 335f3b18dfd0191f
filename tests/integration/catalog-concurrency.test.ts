/**
 * `catalog add` as several real processes at once (issue 17, defect 5: two concurrent adds lost an
 * entry), its lock file (stale and foreign locks), and catalog paths it must not trust (defect 7:
 * a `shard.file` of "../victim/x.bin" was read and then deleted).
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CatalogIndex } from '../../src/engine/index.js';
import { denseModel, makeBundle } from '../helpers/bundles.js';

const BIN = fileURLToPath(new URL('../../bin/learnware-dock.js', import.meta.url));

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) =>
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let dir: string;
const bundles: string[] = [];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lwd-catalog-lock-'));
  mkdirSync(join(dir, 'first'));
  for (let i = 0; i < 7; i++) {
    const { bundle } = await makeBundle({ id: `w${i}`, model: denseModel('softmax', 2, 1 + i), dataSeed: 10 + i });
    const file = join(i === 0 ? join(dir, 'first') : dir, `w${i}.zip`);
    writeFileSync(file, bundle);
    bundles.push(file);
  }
});

/** A fresh catalog holding w0 (built once by the CLI, copied for each test; concurrent tests share the one build). */
let base: Promise<string> | undefined;
async function catalog(name: string): Promise<string> {
  base ??= (async () => {
    const out = join(dir, 'base');
    const built = await cli(['catalog', 'build', join(dir, 'first'), '--out', out]);
    if (built.code !== 0 || built.stderr !== '') throw new Error(`catalog build failed (${built.code}): ${built.stderr}`);
    return out;
  })();
  const out = join(dir, name);
  cpSync(await base, out, { recursive: true });
  return out;
}

const readIndex = (root: string) => JSON.parse(readFileSync(join(root, 'catalog.json'), 'utf8')) as CatalogIndex;

describe('catalog add, several at once', () => {
  it('four concurrent adds keep every entry, and every file the index names is there', async () => {
    const root = await catalog('four');
    const runs = await Promise.all(bundles.slice(1, 5).map((b) => cli(['catalog', 'add', root, b])));
    for (const run of runs) {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
    const index = readIndex(root);
    expect(index.entries.map((e) => e.id).sort()).toEqual(['w0', 'w1', 'w2', 'w3', 'w4']);
    // the last add to finish saw all five
    expect(runs.map((r) => /: (\d) learnwares/.exec(r.stdout)![1]).sort()).toEqual(['2', '3', '4', '5']);
    // no orphaned bundle, no shard left behind, no temporary file, no lock
    expect(readdirSync(join(root, 'bundles')).sort()).toEqual(index.entries.map((e) => e.bundle.file.slice('bundles/'.length)).sort());
    expect(readdirSync(join(root, 'shards'))).toEqual(index.islands.map((i) => i.shard!.file.slice('shards/'.length)));
    expect(readdirSync(root).sort()).toEqual(['bundles', 'catalog.json', 'shards']);
  });

  // the lock tests below each have their own catalog copy: they run side by side (each with its own expect, as
  // concurrent tests must), after the four concurrent adds, which run alone
  it.concurrent('takes over a lock left by a process that no longer runs, saying so', async ({ expect }) => {
    const root = await catalog('stale');
    const dead = await new Promise<number>((done) => {
      const child = execFile(process.execPath, ['-e', '0'], () => done(child.pid!));
    });
    writeFileSync(join(root, '.learnware-dock.lock'), JSON.stringify({ pid: dead, host: hostname(), since: '2026-12-01T00:00:00.000Z', nonce: 'dead' }));
    const run = await cli(['catalog', 'add', root, bundles[5]]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`note: .*\\.learnware-dock\\.lock was left by process ${dead} .*no longer runs; taking it over`));
    expect(readIndex(root).entries).toHaveLength(2);
    expect(existsSync(join(root, '.learnware-dock.lock'))).toBe(false);
  });

  it.concurrent('waits for a live lock, then gives up naming its holder and the file to delete', async ({ expect }) => {
    const root = await catalog('foreign');
    const lock = join(root, '.learnware-dock.lock');
    writeFileSync(lock, JSON.stringify({ pid: 1, host: 'some-other-machine', since: '2026-12-01T00:00:00.000Z', nonce: 'x' }));
    const run = await cli(['catalog', 'add', root, bundles[5]], { LEARNWARE_DOCK_LOCK_TIMEOUT_MS: '300' });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`error[CATALOG_LOCKED]: ${root} is locked by process 1 on some-other-machine since 2026-12-01T00:00:00.000Z`);
    expect(run.stderr).toContain(`delete ${lock}`);
    expect(readIndex(root).entries).toHaveLength(1);
    expect(existsSync(lock)).toBe(true);
  });
});

// each test has its own catalog copy and victim folder: they run side by side
describe.concurrent('catalog add never reaches outside the catalog', () => {
  function victim(name: string): string {
    const v = join(dir, name);
    mkdirSync(v, { recursive: true });
    writeFileSync(join(v, 'x.bin'), 'precious');
    return join(v, 'x.bin');
  }

  it('refuses an index whose shard path climbs out, and deletes nothing', async ({ expect }) => {
    const root = await catalog('climb');
    const target = victim('victim-climb');
    const index = readIndex(root);
    const shard = readFileSync(join(root, index.islands[0].shard!.file));
    writeFileSync(target, shard); // even a file that would decode as the shard is not read
    index.islands[0].shard!.file = '../victim-climb/x.bin';
    writeFileSync(join(root, 'catalog.json'), JSON.stringify(index));
    const run = await cli(['catalog', 'add', root, bundles[6]]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/^error\[BAD_INDEX\]: catalog\.json: islands\[0\]\.shard must be a relative bundles\/, shards\/ or sketch\/ path/);
    expect(readFileSync(target)).toEqual(shard);
    expect(readdirSync(join(root, 'bundles'))).toHaveLength(1); // nothing written either
  });

  it('refuses a shards folder that is a link leading out', async ({ expect }) => {
    const root = await catalog('linked');
    const target = victim('victim-link');
    const index = readIndex(root);
    const name = index.islands[0].shard!.file.slice('shards/'.length);
    writeFileSync(join(dir, 'victim-link', name), readFileSync(join(root, index.islands[0].shard!.file)));
    rmSync(join(root, 'shards'), { recursive: true });
    symlinkSync(join(dir, 'victim-link'), join(root, 'shards'));
    const run = await cli(['catalog', 'add', root, bundles[6]]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/^error\[UNSAFE_PATH\]: .*a symbolic link leads outside/);
    expect(readdirSync(join(dir, 'victim-link')).sort()).toEqual([name, 'x.bin'].sort());
    expect(readFileSync(target, 'utf8')).toBe('precious');
  });

  it('refuses a shard whose bytes are not the ones the index names', async ({ expect }) => {
    const root = await catalog('tampered');
    const index = readIndex(root);
    const path = join(root, index.islands[0].shard!.file);
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(path, bytes);
    const run = await cli(['catalog', 'add', root, bundles[6]]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/^error\[HASH_MISMATCH\]: .* does not match its size and SHA-256 in catalog\.json; the catalog is unchanged/);
    expect(readIndex(root)).toEqual(index);
  });
});
