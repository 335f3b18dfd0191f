/**
 * The app's IndexedDB database, opened the same way by the page (src/app/storage.ts) and by the
 * workers (bundle cache): one schema, one version. Resolves to null where IndexedDB is missing or
 * blocked (private modes, storage disabled); callers then keep everything in memory.
 *   settings    key → value (catalog URL, remembered storage target)
 *   composites  reused models saved as composite learnwares, by id
 *   bundles     validated learnware bundles, by full SHA-256 (content-addressed, immutable)
 *   recent      recent specs and search results, by id (newest kept, RECENT_LIMIT)
 */
import { openDB, type IDBPDatabase } from 'idb';

export const DB_NAME = 'learnware-dock';
const DB_VERSION = 3;
export const RECENT_LIMIT = 20;

export type LocalDb = IDBPDatabase;

let opened: Promise<LocalDb | null> | null = null;

export function localDb(): Promise<LocalDb | null> {
  opened ??= (
    typeof indexedDB === 'undefined'
      ? Promise.resolve(null)
      : openDB(DB_NAME, DB_VERSION, {
          upgrade(d, oldVersion) {
            if (oldVersion < 1) d.createObjectStore('settings');
            if (oldVersion < 2) d.createObjectStore('composites', { keyPath: 'id' });
            if (oldVersion < 3) {
              d.createObjectStore('bundles', { keyPath: 'sha256' });
              d.createObjectStore('recent', { keyPath: 'id' });
            }
          },
          // another tab (or worker) holds an older version open: let it close, then retry on next use
          blocked() {
            opened = null;
          },
          terminated() {
            opened = null;
          },
        })
  ).catch(() => null);
  return opened;
}

/** A stored bundle: bytes plus what the storage page shows. */
export interface StoredBundle {
  sha256: string;
  bytes: Uint8Array;
  size: number;
  storedAt: string;
}
