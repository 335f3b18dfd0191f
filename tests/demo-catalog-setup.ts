/** Global setup shared by the browser and e2e projects: builds public/catalog/ and public/embedders/ when absent. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export function ensureDemoCatalog(): void {
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'scripts', 'build-demo-catalog.ts'), '--if-missing'], { stdio: 'ignore' });
}

/** public/embedders/ (docs/text.md §2), which the text tests and the app read. */
export function ensureEmbedder(): void {
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'scripts', 'build-embedder.ts'), '--if-missing'], { stdio: 'ignore' });
}

export default function setup(): void {
  ensureDemoCatalog();
  ensureEmbedder();
}
