/**
 * Writing catalog directories safely from the CLI: every path taken from an index is resolved
 * inside the catalog (no `..`, no link leading out), and writers take the catalog's lock file.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, linkSync, lstatSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { InputError } from '../engine/index.js';

/**
 * `rel` (a path taken from a catalog index) resolved inside the catalog directory `root`, or an
 * UNSAFE_PATH error: no `..`, no absolute path, no symbolic link on the way that leads out.
 * Every file the CLI reads, writes or deletes in a catalog goes through this first.
 */
export function insideCatalog(root: string, rel: string): string {
  const unsafe = (why: string) => new InputError('UNSAFE_PATH', `${JSON.stringify(rel)} is not a path inside the catalog ${root}: ${why}; nothing was read or deleted`, { path: rel });
  if (isAbsolute(rel) || rel.split(/[\\/]/).some((part) => part === '..' || part === '')) throw unsafe('catalog paths are relative, without ".." or empty parts');
  const base = realpathSync(root);
  const target = resolve(base, rel);
  if (!target.startsWith(base + sep)) throw unsafe('it resolves outside');
  // the deepest part of the path that exists must not be (or pass through) a link leading out
  let existing = target;
  while (!existsSync(existing) && existing !== base) existing = dirname(existing);
  const real = realpathSync(existing);
  if (real !== base && !real.startsWith(base + sep)) throw unsafe('a symbolic link leads outside');
  if (existing === target && lstatSync(target).isSymbolicLink()) throw unsafe('it is a symbolic link');
  return target;
}

/** Catalog directories are changed under this lock file (created with O_EXCL), one writer at a time. */
export const CATALOG_LOCK = '.learnware-dock.lock';

interface LockHolder {
  pid: number;
  host: string;
  since: string;
  nonce: string;
}

/**
 * Runs `fn` holding the catalog's lock: `<root>/.learnware-dock.lock`, created exclusively (`wx`).
 * A second writer waits for it (up to `timeoutMs`, then CATALOG_LOCKED naming the holder). A lock
 * left by a process of this machine that no longer runs is stale: it is taken over, with a note on
 * stderr. A lock from another machine is never taken over: the message says which file to delete.
 */
export async function withCatalogLock<T>(root: string, fn: () => Promise<T>, timeoutMs = lockTimeout()): Promise<T> {
  const path = join(root, CATALOG_LOCK);
  const me: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), nonce: randomBytes(8).toString('hex') };
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, JSON.stringify(me) + '\n');
      } finally {
        closeSync(fd);
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new InputError('WRITE_FAILED', `cannot create the lock ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    }
    const holder = readLock(path);
    if (holder === 'gone') continue;
    if (isStale(holder, path)) {
      const who = holder ? `process ${holder.pid} since ${holder.since}` : 'a process that never finished writing it';
      process.stderr.write(`note: ${path} was left by ${who}, which no longer runs; taking it over\n`);
      takeOver(path, holder);
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      const who = holder ? `process ${holder.pid} on ${holder.host} since ${holder.since}` : 'another process';
      throw new InputError(
        'CATALOG_LOCKED',
        `${root} is locked by ${who} (another catalog build or add); if none is running, delete ${path}`,
        holder ? { ...holder, lock: path } : { lock: path },
      );
    }
    await new Promise((done) => setTimeout(done, Math.min(250, 20 * 2 ** Math.min(attempt, 4)) * (0.5 + Math.random())));
  }
  try {
    return await fn();
  } finally {
    const holder = readLock(path);
    if (holder !== 'gone' && holder?.nonce === me.nonce) rmSync(path, { force: true });
  }
}

function lockTimeout(): number {
  const value = Number(process.env.LEARNWARE_DOCK_LOCK_TIMEOUT_MS);
  return Number.isFinite(value) && value >= 0 ? value : 120_000;
}

/** The holder, null for a lock file that cannot be read as one (being written, or damaged), 'gone' when there is none. */
function readLock(path: string): LockHolder | null | 'gone' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return 'gone';
  }
  try {
    const value = JSON.parse(text) as LockHolder;
    return Number.isInteger(value?.pid) && typeof value.host === 'string' && typeof value.nonce === 'string' ? value : null;
  } catch {
    return null;
  }
}

function isStale(holder: LockHolder | null, path: string): boolean {
  if (holder === null) {
    // unreadable: stale only once it is old enough that no writer can still be filling it in
    try {
      return Date.now() - statSync(path).mtimeMs > 10_000;
    } catch {
      return false;
    }
  }
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes a stale lock without removing a live one that replaced it meanwhile: the lock is renamed
 * aside (atomic), and put back if what was renamed is not the stale holder's.
 */
function takeOver(path: string, stale: LockHolder | null): void {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else took it over first
  }
  const moved = readLock(aside);
  const same = stale === null ? moved === null : moved !== 'gone' && moved?.nonce === stale.nonce;
  if (!same) {
    try {
      linkSync(aside, path);
    } catch {
      // a new lock exists already; the one moved aside belonged to a live writer that will not find it
    }
  }
  rmSync(aside, { force: true });
}
