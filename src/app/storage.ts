/**
 * Local state of the page in IndexedDB (src/local/db.ts): settings, reused models saved as
 * composite learnwares, recent specs and search results; the bundles the workers cached are listed
 * and cleared from here too. Storage credentials are written only when the developer ticks
 * "remember". When IndexedDB is unavailable or full (quota), everything lives in memory for the
 * session and `storageMode()` says so.
 */
import type { S3Target } from '../engine/index.js';
import { localDb, RECENT_LIMIT, type StoredBundle } from '../local/db.js';

const memory = new Map<string, unknown>();
let lastFailure: string | null = null;

/** Runs a write against IndexedDB; false (and the reason kept) when it is missing, blocked or full. */
async function tryWrite(write: (d: NonNullable<Awaited<ReturnType<typeof localDb>>>) => Promise<unknown>): Promise<boolean> {
  const d = await localDb();
  if (!d) {
    lastFailure = 'IndexedDB is not available in this browser mode';
    return false;
  }
  try {
    await write(d);
    return true;
  } catch (error) {
    lastFailure = (error as Error).name === 'QuotaExceededError' ? 'the browser storage quota is full' : (error as Error).message;
    return false;
  }
}

async function tryRead<T>(read: (d: NonNullable<Awaited<ReturnType<typeof localDb>>>) => Promise<T>, fallback: T): Promise<T> {
  const d = await localDb();
  if (!d) return fallback;
  try {
    return await read(d);
  } catch {
    return fallback;
  }
}

/** Where this session's writes go, and why not IndexedDB when they do not. */
export async function storageMode(): Promise<{ mode: 'indexeddb' | 'memory'; reason: string | null }> {
  const d = await localDb();
  if (!d) return { mode: 'memory', reason: 'IndexedDB is not available in this browser mode' };
  return { mode: lastFailure ? 'memory' : 'indexeddb', reason: lastFailure };
}

async function read<T>(key: string): Promise<T | undefined> {
  return tryRead(async (d) => ((await d.get('settings', key)) as T | undefined) ?? (memory.get(key) as T | undefined), memory.get(key) as T | undefined);
}

async function write(key: string, value: unknown): Promise<void> {
  memory.set(key, value);
  await tryWrite((d) => d.put('settings', value, key));
}

async function remove(key: string): Promise<void> {
  memory.delete(key);
  await tryWrite((d) => d.delete('settings', key));
}

export const rememberedTarget = () => read<S3Target>('s3-target');
export const rememberTarget = (target: S3Target) => write('s3-target', target);
export const forgetTarget = () => remove('s3-target');

/** The catalog last loaded successfully (a ?catalog= in the address wins over it). */
export const savedCatalogUrl = () => read<string>('catalog-url');
export const saveCatalogUrl = (url: string) => write('catalog-url', url);

export interface SavedComposite {
  id: string;
  name: string;
  method: string;
  savedAt: string;
  /** the composite bundle (zip) */
  bytes: Uint8Array;
}

const memoryComposites = new Map<string, SavedComposite>();

/** Saves a composite; returns where it went (IndexedDB, or memory when storage is blocked or full). */
export async function saveComposite(item: SavedComposite): Promise<'indexeddb' | 'memory'> {
  memoryComposites.set(item.id, item);
  return (await tryWrite((d) => d.put('composites', item))) ? 'indexeddb' : 'memory';
}

export async function savedComposites(): Promise<SavedComposite[]> {
  const stored = await tryRead((d) => d.getAll('composites') as Promise<SavedComposite[]>, []);
  const all = new Map([...memoryComposites, ...stored.map((c) => [c.id, c] as const)]);
  return [...all.values()].sort((a, b) => b.savedAt.localeCompare(a.savedAt));
}

export async function deleteComposite(id: string): Promise<void> {
  memoryComposites.delete(id);
  await tryWrite((d) => d.delete('composites', id));
}

/** A spec built or a search run, remembered for the storage page (the user's rows are not kept). */
export interface RecentItem {
  id: string;
  kind: 'spec' | 'search';
  at: string;
  fileName: string;
  rows: number;
  features: string[];
  /** spec: the stat.json (reduced points only); search: the learnwares found, best first */
  specJson?: string;
  found?: { name: string; score: number }[];
  mixture?: { names: string[]; weights: number[]; score: number } | null;
}

const memoryRecent = new Map<string, RecentItem>();

export async function addRecent(item: RecentItem): Promise<void> {
  memoryRecent.set(item.id, item);
  await tryWrite(async (d) => {
    await d.put('recent', item);
    const all = (await d.getAll('recent')) as RecentItem[];
    const stale = all.sort((a, b) => b.at.localeCompare(a.at)).slice(RECENT_LIMIT);
    for (const old of stale) await d.delete('recent', old.id);
  });
}

export async function recentItems(): Promise<RecentItem[]> {
  const stored = await tryRead((d) => d.getAll('recent') as Promise<RecentItem[]>, []);
  const all = new Map([...memoryRecent, ...stored.map((r) => [r.id, r] as const)]);
  return [...all.values()].sort((a, b) => b.at.localeCompare(a.at)).slice(0, RECENT_LIMIT);
}

export async function deleteRecent(id: string): Promise<void> {
  memoryRecent.delete(id);
  await tryWrite((d) => d.delete('recent', id));
}

/** The bundles the workers cached (hash, size, when), newest first. */
export async function cachedBundles(): Promise<Omit<StoredBundle, 'bytes'>[]> {
  const stored = await tryRead((d) => d.getAll('bundles') as Promise<StoredBundle[]>, []);
  return stored.map(({ sha256, size, storedAt }) => ({ sha256, size, storedAt })).sort((a, b) => b.storedAt.localeCompare(a.storedAt));
}

export type StoreName = 'settings' | 'composites' | 'bundles' | 'recent';

/** Empties one store (or all); the in-memory copies go too. */
export async function clearStored(which: StoreName | 'all'): Promise<void> {
  const stores: StoreName[] = which === 'all' ? ['settings', 'composites', 'bundles', 'recent'] : [which];
  if (stores.includes('settings')) memory.clear();
  if (stores.includes('composites')) memoryComposites.clear();
  if (stores.includes('recent')) memoryRecent.clear();
  await tryWrite(async (d) => {
    for (const store of stores) await d.clear(store);
  });
}

/** What the browser reports for this origin (usage counts every store, the service worker cache too); `parts` splits the usage where the browser says (Chromium: caches, IndexedDB, service worker). */
export async function storageEstimate(): Promise<{ usage: number; quota: number; parts: Record<string, number> | null } | null> {
  try {
    const estimate = await navigator.storage?.estimate?.();
    const details = (estimate as { usageDetails?: Record<string, number> } | undefined)?.usageDetails;
    return estimate ? { usage: estimate.usage ?? 0, quota: estimate.quota ?? 0, parts: details && Object.keys(details).length > 0 ? { ...details } : null } : null;
  } catch {
    return null;
  }
}
