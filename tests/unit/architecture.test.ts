/** Keeps the layering honest: the engine is framework-free and never reaches outside itself. */
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
