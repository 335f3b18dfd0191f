/**
 * Local settings in IndexedDB (idb). Storage credentials are written only when the developer ticks
 * "remember"; when IndexedDB is unavailable or full, settings live in memory for the session.
 */
import { openDB, type IDBPDatabase } from 'idb';
import type { S3Target } from '../engine/index.js';

const memory = new Map<string, unknown>();
let database: Promise<IDBPDatabase | null> | null = null;

function db(): Promise<IDBPDatabase | null> {
  database ??= openDB('learnware-dock', 1, {
    upgrade(d) {
      d.createObjectStore('settings');
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
