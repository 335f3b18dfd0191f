/**
 * The workers' bundle cache: validated bundles by SHA-256 in memory and in IndexedDB, so a
 * learnware downloaded once is reused after a reload, offline too. Only bytes that passed
 * fetchValidated (size, magic, SHA-256) are stored, and stored bytes are hashed again when read
 * back: a corrupted or tampered record is dropped and downloaded afresh. When IndexedDB is
 * unavailable or full (quota), the memory layer alone serves.
 */
import { sha256Hex } from '../engine/core/hash.js';
import { memoryFileCache, type FileCache } from '../engine/catalog/fetch.js';
import { localDb, type StoredBundle } from './db.js';

export interface BundleCache extends FileCache {
  /** why the last write to IndexedDB failed (e.g. quota), null when it worked */
  lastWriteError(): string | null;
}

export function bundleCache(memoryBytes = 256 * 2 ** 20): BundleCache {
  const memory = memoryFileCache(memoryBytes);
  let writeError: string | null = null;
  return {
    async get(sha256) {
      const inMemory = memory.get(sha256) as Uint8Array | undefined;
      if (inMemory || sha256.length !== 64) return inMemory;
      const db = await localDb();
      if (!db) return undefined;
      let stored: StoredBundle | undefined;
      try {
        stored = (await db.get('bundles', sha256)) as StoredBundle | undefined;
      } catch {
        return undefined;
      }
      if (!stored) return undefined;
      const bytes = stored.bytes instanceof Uint8Array ? stored.bytes : null;
      if (!bytes || (await sha256Hex(bytes)) !== sha256) {
        await db.delete('bundles', sha256).catch(() => undefined);
        return undefined;
      }
      memory.set(sha256, bytes);
      return bytes;
    },
    async set(sha256, bytes) {
      memory.set(sha256, bytes);
      if (sha256.length !== 64) return;
      const db = await localDb();
      if (!db) return;
      try {
        const record: StoredBundle = { sha256, bytes, size: bytes.length, storedAt: new Date().toISOString() };
        await db.put('bundles', record);
        writeError = null;
      } catch (error) {
        // QuotaExceededError or blocked storage: this session keeps the memory copy
        writeError = (error as Error).name || (error as Error).message;
      }
    },
    lastWriteError: () => writeError,
  };
}
