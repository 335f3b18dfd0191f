/**
 * Global setup of the integration project: runs scripts/build-demo-catalog.ts once into a temporary
 * directory (a fresh build from this checkout's code, not public/catalog, which may predate it) and
 * provides its paths and output. The CLI catalog test and the identification test both read it, so the
 * demo catalog is built once per run instead of once per file.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

export interface FreshDemoCatalog {
  /** the catalog directory (catalog.json, shards, bundles) */
  catalog: string;
  /** the held-out rows of every learnware (index.json and one CSV each) */
  holdout: string;
  /** what the build script printed */
  stdout: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    freshDemoCatalog: FreshDemoCatalog;
  }
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'lwd-demo-build-'));
  const catalog = join(dir, 'catalog');
  const holdout = join(dir, 'held-out');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'scripts', 'build-demo-catalog.ts'), catalog, '--holdout', holdout],
    { timeout: 900_000, maxBuffer: 16 * 2 ** 20 },
  );
  project.provide('freshDemoCatalog', { catalog, holdout, stdout });
  return () => rmSync(dir, { recursive: true, force: true });
}
