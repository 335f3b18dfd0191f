/**
 * Global setup of the integration project: a fresh build of scripts/build-demo-catalog.ts from this
 * checkout's code (not a public/catalog that may predate it), its paths and output. When the shared
 * setup (tests/demo-catalog-setup.ts) has just built public/catalog from exactly these inputs (the
 * same hash of scripts, engine, CLI, samples and lock file) that build is the fresh one; otherwise the
 * script runs once into a temporary directory. The tests only read it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { BUILD_STAMP, demoBuildInputs } from '../demo-catalog-setup.js';

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
  if (existsSync(BUILD_STAMP)) {
    const stamp = JSON.parse(readFileSync(BUILD_STAMP, 'utf8')) as { inputs: string; stdout: string };
    if (stamp.inputs === demoBuildInputs()) {
      project.provide('freshDemoCatalog', { catalog: join(ROOT, 'public', 'catalog'), holdout: join(ROOT, 'public', 'catalog-holdout'), stdout: stamp.stdout });
      return () => undefined;
    }
  }
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
