/**
 * The app's service worker (built to /sw.js by the plugin in vite.config.ts, which prepends the
 * list of build files and a version): after a first visit the app opens and searches offline.
 *   - install: the build's files (page, scripts, wasm, the language identifier's model) and the
 *     demo catalog's index and shards; the text embedder's 10 MB of word vectors only when a text
 *     job first fetches them (below: kept for next time), so a table journey never downloads them
 *     (docs/text.md §2);
 *   - content-addressed catalog files (bundles/, shards/, specs/, cards/, sketch/): cache first —
 *     their names are their hashes, and the app validates them again anyway;
 *   - catalog.json and the page: network first, the cached copy when offline;
 *   - everything else of the app's origin: cache first, then network (kept for next time).
 * It only ever caches GET responses; it never sends anything the page did not ask for (the index
 * and shards fetched at install are the ones the page asks for on its first search).
 */
interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEventLike extends ExtendableEventLike {
  request: Request;
  respondWith(response: Promise<Response>): void;
}
interface ServiceWorkerScope {
  location: Location;
  registration: { scope: string };
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEventLike) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEventLike) => void): void;
}

declare const PRECACHE: string[];
declare const VERSION: string;

const scope = self as unknown as ServiceWorkerScope;
const CACHE = `learnware-dock-${VERSION}`;
const base = new URL(scope.registration.scope);
/** shard files larger than this in total are left to the first search (a large catalog) */
const MAX_SHARDS_AT_INSTALL = 16 * 2 ** 20;

scope.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(['./', 'favicon.svg', ...PRECACHE].map((file) => new URL(file, base).href));
      await cacheDemoCatalog(cache).catch(() => undefined);
      await scope.skipWaiting();
    })(),
  );
});

scope.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith('learnware-dock-') && name !== CACHE) await caches.delete(name);
      await scope.clients.claim();
    })(),
  );
});

scope.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
  if (request.headers.has('range')) return;
  if (/\/(bundles|shards|specs|cards|sketch)\/[^/]+$/.test(url.pathname)) event.respondWith(cacheFirst(request));
  else if (request.mode === 'navigate' || url.pathname.endsWith('/catalog.json')) event.respondWith(networkFirst(request));
  else if (url.origin === base.origin) event.respondWith(cacheFirst(request));
});

async function cacheFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, { ignoreVary: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.status === 200 && response.type !== 'opaque') await cache.put(request, response.clone());
  return response;
}

async function networkFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.status === 200) await cache.put(request.mode === 'navigate' ? new URL('./', base).href : request, response.clone());
    return response;
  } catch (error) {
    const hit = await cache.match(request.mode === 'navigate' ? new URL('./', base).href : request, { ignoreSearch: request.mode === 'navigate' });
    if (hit) return hit;
    throw error;
  }
}

/** The demo catalog served with the app: its index and, when small, its shards. */
async function cacheDemoCatalog(cache: Cache): Promise<void> {
  const indexUrl = new URL('catalog/catalog.json', base).href;
  const response = await fetch(indexUrl);
  if (response.status !== 200) return;
  await cache.put(indexUrl, response.clone());
  const index = (await response.json()) as { islands?: { shard?: { file?: string; size?: number } }[] };
  const shards = (index.islands ?? []).map((i) => i.shard).filter((s): s is { file: string; size: number } => typeof s?.file === 'string' && /^shards\/[\w.-]+$/.test(s.file));
  if (shards.reduce((total, s) => total + (s.size ?? Infinity), 0) > MAX_SHARDS_AT_INSTALL) return;
  await cache.addAll(shards.map((s) => new URL(`catalog/${s.file}`, base).href));
}
