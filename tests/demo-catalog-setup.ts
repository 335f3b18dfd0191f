/**
 * Global setup shared by every project: builds public/catalog/ and public/embedders/ when absent.
 * A build made here records what it was built from (a hash of the build's inputs) and what it
 * printed, so the integration project can use it as its fresh build when the inputs are unchanged
 * (tests/integration/fresh-demo-catalog.ts) instead of building the same catalog a second time.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
/** where a build made by this setup says what it was built from */
export const BUILD_STAMP = join(ROOT, 'node_modules', '.cache', 'learnware-dock-demo-build.json');

/** Everything the demo build reads: its scripts, the engine and CLI, the sample data, the pinned packages. */
export function demoBuildInputs(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): string[] =>
    readdirSync(dir)
      .sort()
      .flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? walk(path) : [path];
      });
  for (const path of [
    ...walk(join(ROOT, 'scripts')),
    ...walk(join(ROOT, 'src', 'engine')),
    ...walk(join(ROOT, 'src', 'cli')),
    ...walk(join(ROOT, 'public', 'samples')),
    join(ROOT, 'package-lock.json'),
  ]) {
    hash.update(relative(ROOT, path)).update('\0').update(readFileSync(path)).update('\0');
  }
  return hash.digest('hex');
}

export function ensureDemoCatalog(): void {
  const stdout = execFileSync(process.execPath, [TSX, join(ROOT, 'scripts', 'build-demo-catalog.ts'), '--if-missing'], {
    encoding: 'utf8',
    maxBuffer: 16 * 2 ** 20,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  // --if-missing prints nothing when the catalog was already there
  if (stdout.trim() !== '' && existsSync(join(ROOT, 'public', 'catalog', 'catalog.json'))) {
    mkdirSync(dirname(BUILD_STAMP), { recursive: true });
    writeFileSync(BUILD_STAMP, JSON.stringify({ inputs: demoBuildInputs(), stdout }));
  }
}

/** public/embedders/ (docs/text.md §2), which the text tests and the app read. */
export function ensureEmbedder(): void {
  execFileSync(process.execPath, [TSX, join(ROOT, 'scripts', 'build-embedder.ts'), '--if-missing'], { stdio: 'ignore' });
}

export default function setup(): void {
  ensureDemoCatalog();
  ensureEmbedder();
}
