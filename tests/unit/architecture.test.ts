/**
 * Keeps the layering honest (docs/architecture.md, "Layers"): the engine is framework-free and
 * never reaches outside itself, each engine layer imports only the layers the matrix allows, and
 * only the table spec type's own folder (with the table journey's loader and UI) knows what a
 * table spec holds.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

function imports(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]);
}

describe('architecture', () => {
  const engine = files(join(ROOT, 'src', 'engine'));

  it('the engine imports no app, CLI, worker, UI framework or Node built-in', () => {
    for (const file of engine) {
      for (const spec of imports(file)) {
        const where = `${relative(ROOT, file)} imports ${spec}`;
        expect(spec.startsWith('node:'), where).toBe(false);
        expect(/(^|\/)(app|cli)\//.test(spec) || spec.includes('/workers/'), where).toBe(false);
        expect(spec === 'svelte' || spec.startsWith('svelte/') || spec === 'comlink', where).toBe(false);
      }
    }
  });

  it('the engine touches no DOM or network globals', () => {
    for (const file of engine) {
      const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      // the global fetch is never called: callers pass a fetch function in
      expect(/\b(document|window|localStorage|XMLHttpRequest)\b|(?<![\w.])fetch\s*\(/.test(text), relative(ROOT, file)).toBe(false);
    }
  });

  it('only the kernels import tfjs', () => {
    for (const file of engine) {
      if (file.includes(`${join('src', 'engine', 'kernels')}`)) continue;
      for (const spec of imports(file)) expect(spec.startsWith('@tensorflow/'), relative(ROOT, file)).toBe(false);
    }
  });

  it('the UI reaches the engine only through types and the worker client', () => {
    for (const file of files(join(ROOT, 'src', 'app'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/import\s+(type\s+)?[^'"]*from\s+['"]([^'"]*engine[^'"]*)['"]/g)) {
        expect(m[1], `${relative(ROOT, file)} imports engine values from ${m[2]}`).toBe('type ');
      }
    }
  });

  it('the reuse worker imports engine modules one by one, never the barrel (tfjs stays out of its bundle)', () => {
    const specs = imports(join(ROOT, 'workers', 'reuse.worker.ts'));
    expect(specs.some((s) => s.includes('/engine/reuse/'))).toBe(true);
    for (const spec of specs) expect(spec.endsWith('engine/index.js'), spec).toBe(false);
    // no module it reaches imports tfjs
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of imports(file)) {
        if (!spec.startsWith('.')) continue;
        visit(join(file, '..', spec.replace(/\.js$/, '.ts')));
      }
    };
    visit(join(ROOT, 'workers', 'reuse.worker.ts'));
    const tfjs = [...seen].filter((f) => imports(f).some((spec) => spec.startsWith('@tensorflow/'))).map((f) => relative(ROOT, f));
    expect(tfjs).toEqual([]);
    expect(seen.size).toBeGreaterThan(10);
  });
});

/** Engine layer → the engine layers it may import (docs/architecture.md keeps the same table). */
const ALLOWED: Record<string, string[]> = {
  core: [],
  kernels: ['core'],
  data: ['core'],
  model: ['core', 'kernels'],
  spec: ['core', 'kernels', 'data', 'model'],
  bundle: ['core', 'kernels', 'data', 'model', 'spec'],
  catalog: ['core', 'kernels', 'data', 'spec', 'bundle'],
  publish: ['core', 'spec', 'bundle', 'catalog'],
  search: ['core', 'kernels', 'data', 'spec', 'bundle', 'catalog'],
  reuse: ['core', 'data', 'model', 'spec', 'bundle', 'catalog', 'search'],
};

/** The engine layer of a file under src/engine ('index' for the public door). */
function layerOf(path: string): string {
  const rel = relative(join(ROOT, 'src', 'engine'), path).split(/[\\/]/);
  return rel.length === 1 ? 'index' : rel[0];
}

describe('engine layers', () => {
  const engine = files(join(ROOT, 'src', 'engine')).filter((f) => f.endsWith('.ts'));

  it('every engine layer is in the matrix', () => {
    const layers = new Set(engine.map(layerOf));
    layers.delete('index');
    expect([...layers].sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  it('each layer imports only the layers docs/architecture.md allows', () => {
    const broken: string[] = [];
    for (const file of engine) {
      const from = layerOf(file);
      if (from === 'index') continue;
      for (const spec of imports(file)) {
        if (!spec.startsWith('.')) continue;
        const to = layerOf(join(file, '..', spec));
        if (to !== from && !ALLOWED[from].includes(to)) broken.push(`${relative(ROOT, file)} (${from}) imports ${spec} (${to})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the matrix has no cycle', () => {
    const visiting = new Set<string>();
    const visit = (layer: string, path: string[]): void => {
      expect(visiting.has(layer), `cycle ${[...path, layer].join(' → ')}`).toBe(false);
      visiting.add(layer);
      for (const next of ALLOWED[layer]) visit(next, [...path, layer]);
      visiting.delete(layer);
    };
    for (const layer of Object.keys(ALLOWED)) visit(layer, []);
  });

  it('the doc states the same matrix', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
    for (const [layer, allowed] of Object.entries(ALLOWED)) {
      const row = new RegExp(`^\\| \`${layer}/\` \\| ([^|]*) \\|`, 'm').exec(doc);
      expect(row, `docs/architecture.md has a matrix row for ${layer}/`).not.toBeNull();
      const stated = row![1].trim() === '—' ? [] : row![1].split(',').map((s) => s.trim().replace(/`/g, '').replace(/\/$/, ''));
      expect(stated.sort(), `docs/architecture.md row ${layer}/`).toEqual([...allowed].sort());
    }
  });
});

describe('spec types are plug-ins', () => {
  /** Where naming the table spec's type is allowed: its own folder, and the text spec type, which is the table RKME of embeddings. */
  const TABLE_ONLY = [join('src', 'engine', 'spec', 'table'), join('src', 'engine', 'spec', 'text'), join('src', 'engine', 'spec', 'image'), join('src', 'engine', 'index.ts')];

  it('no module outside the table spec type names RkmeTableSpec', () => {
    const offenders = [...files(join(ROOT, 'src')), ...files(join(ROOT, 'workers'))]
      .filter((f) => /\.(ts|svelte)$/.test(f) && !TABLE_ONLY.some((allowed) => f.includes(allowed)))
      .filter((f) => /\bRkmeTableSpec\b/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it('catalog, search, checker and bundle code never import the table spec folder', () => {
    const generic = ['catalog', 'search', 'bundle', 'publish', 'reuse'].flatMap((layer) => files(join(ROOT, 'src', 'engine', layer)));
    const offenders = generic.flatMap((f) =>
      imports(f)
        .filter((spec) => spec.includes('spec/table/'))
        .map((spec) => `${relative(ROOT, f)} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });
});
