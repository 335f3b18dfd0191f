/**
 * Builds the demo catalog and the text embedder (when absent) and the app once — into a folder of this run's own, so
 * that two runs at once never serve each other's half-written build — and serves it with `vite preview` on
 * loopback for the e2e tests; also a second static server with an SPA fallback (every unknown
 * path answered by index.html with status 200), as many static hosts do.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { build, preview } from 'vite';
import { ensureDemoCatalog, ensureEmbedder } from '../demo-catalog-setup.js';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
    fallbackUrl: string;
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensureDemoCatalog();
  // the word vectors the page embeds texts with (public/embedders/, docs/text.md §2), served with the build
  ensureEmbedder();
  // the CSP lets the page connect to its own origin and to the loopback servers the tests start
  // (s3rver for publishing) — any port of 127.0.0.1, nothing else (offline.test.ts checks)
  process.env.LEARNWARE_CONNECT_SRC = 'http://127.0.0.1:*';
  const outDir = mkdtempSync(join(tmpdir(), 'lwd-e2e-dist-'));
  await build({ logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const fallback = await spaFallbackServer(outDir);
  const server = await preview({ logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 4317, strictPort: false } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  project.provide('appUrl', url);
  const address = fallback.address() as { port: number };
  project.provide('fallbackUrl', `http://127.0.0.1:${address.port}/`);
  return async () => {
    await server.close();
    await new Promise((done) => fallback.close(done));
    rmSync(outDir, { recursive: true, force: true });
  };
}

function spaFallbackServer(dist: string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(dist, path.endsWith('/') ? join(path, 'index.html') : path);
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch {
      file = join(dist, 'index.html');
      body = readFileSync(file);
    }
    response.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
    response.end(body);
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}
