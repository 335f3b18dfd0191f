/**
 * Local state in IndexedDB (idb): settings, and reused models saved as composite learnwares.
 * Storage credentials are written only when the developer ticks "remember"; when IndexedDB is
 * unavailable or full, everything lives in memory for the session.
 */
import { openDB, type IDBPDatabase } from 'idb';
import type { S3Target } from '../engine/index.js';

const memory = new Map<string, unknown>();
let database: Promise<IDBPDatabase | null> | null = null;

function db(): Promise<IDBPDatabase | null> {
  database ??= openDB('learnware-dock', 2, {
    upgrade(d, oldVersion) {
      if (oldVersion < 1) d.createObjectStore('settings');
      if (oldVersion < 2) d.createObjectStore('composites', { keyPath: 'id' });
    },
  }).catch(() => null);
  return database;
}

async function read<T>(key: string): Promise<T | undefined> {
  const d = await db();
  if (!d) return memory.get(key) as T | undefined;
  try {
    return (await d.get('settings', key)) as T | undefined;
  } catch {
    return memory.get(key) as T | undefined;
  }
}

async function write(key: string, value: unknown): Promise<void> {
  memory.set(key, value);
  const d = await db();
  try {
    await d?.put('settings', value, key);
  } catch {
    // quota exceeded or storage blocked: the in-memory copy serves this session
  }
}

async function remove(key: string): Promise<void> {
  memory.delete(key);
  const d = await db();
  try {
    await d?.delete('settings', key);
  } catch {
    // nothing stored
  }
}

export const rememberedTarget = () => read<S3Target>('s3-target');
export const rememberTarget = (target: S3Target) => write('s3-target', target);
export const forgetTarget = () => remove('s3-target');

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
  const d = await db();
  try {
    if (!d) return 'memory';
    await d.put('composites', item);
    return 'indexeddb';
  } catch {
    return 'memory';
  }
}

export async function savedComposites(): Promise<SavedComposite[]> {
  const d = await db();
  let stored: SavedComposite[] = [];
  try {
    stored = d ? ((await d.getAll('composites')) as SavedComposite[]) : [];
  } catch {
    // storage blocked: the in-memory copies only
  }
  const all = new Map([...memoryComposites, ...stored.map((c) => [c.id, c] as const)]);
  return [...all.values()].sort((a, b) => b.savedAt.localeCompare(a.savedAt));
}

export async function deleteComposite(id: string): Promise<void> {
  memoryComposites.delete(id);
  const d = await db();
  try {
    await d?.delete('composites', id);
  } catch {
    // nothing stored
  }
}
