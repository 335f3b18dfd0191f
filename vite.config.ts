import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Cross-origin isolation lets wasm use threads; the app also works without it (single thread).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The Content-Security-Policy of the built app: scripts and workers from the app's origin only
 * (wasm compiled, never eval), connections to the app's origin plus the catalog and storage
 * origins given at build time in LEARNWARE_CONNECT_SRC (space-separated, e.g.
 * "https://catalog.example.org https://s3.eu-central-1.amazonaws.com"). Sent as a header by
 * `vite preview` and written to dist/_headers for static hosts that read that file; a header (not
 * a <meta>) so that it governs the workers too, which are the ones that fetch.
 */
export function contentSecurityPolicy(connect = process.env.LEARNWARE_CONNECT_SRC ?? ''): string {
  const extra = connect.split(/\s+/).filter(Boolean);
  for (const origin of extra) if (!/^(https?:\/\/[\w.*-]+(:(\d+|\*))?|'self')$/.test(origin)) throw new Error(`LEARNWARE_CONNECT_SRC: "${origin}" is not an origin`);
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self' blob:",
    `connect-src 'self' ${extra.join(' ')}`.trim(),
    "img-src 'self' data: blob:",
    "style-src 'self' 'unsafe-inline'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Files the service worker does not fetch at install (the 28 MB onnxruntime wasm): cached when first used. */
const PRECACHE_MAX_FILE = 8 * 2 ** 20;

/** Emits /sw.js (src/sw/service-worker.ts with the build's file list) and /_headers. */
function serviceWorkerAndHeaders(): Plugin {
  return {
    name: 'learnware-dock-service-worker',
    apply: 'build',
    generateBundle(_options, bundle) {
      const files = Object.values(bundle)
        .filter((item) => !item.fileName.endsWith('.map'))
        .filter((item) => (item.type === 'chunk' ? item.code.length : item.source.length) <= PRECACHE_MAX_FILE)
        .map((item) => item.fileName)
        .sort();
      const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 16);
      const source = ts.transpileModule(readFileSync(new URL('./src/sw/service-worker.ts', import.meta.url), 'utf8'), {
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None, removeComments: true },
      }).outputText;
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: `const PRECACHE = ${JSON.stringify(files)};\nconst VERSION = ${JSON.stringify(version)};\n${source}` });
      const headers = { ...isolation, 'Content-Security-Policy': contentSecurityPolicy() };
      this.emitFile({
        type: 'asset',
        fileName: '_headers',
        source: `/*\n${Object.entries(headers)
          .map(([k, v]) => `  ${k}: ${v}`)
          .join('\n')}\n`,
      });
    },
  };
}

export default defineConfig({
  plugins: [svelte(), serviceWorkerAndHeaders()],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  server: { headers: isolation },
  preview: { headers: { ...isolation, 'Content-Security-Policy': contentSecurityPolicy() }, host: '127.0.0.1', port: 4173 },
});
