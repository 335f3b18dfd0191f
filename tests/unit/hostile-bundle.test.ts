/**
 * Hostile-input suite: bundles whose manifests and entries try to get past the checker (issue 17,
 * defects 4, 8, 11). Limits per verdict: 30 s and 1.5 GB (each case here takes a few seconds at
 * most: the bundles are small and built by the test itself).
 */
import { describe, expect, it, vi } from 'vitest';
import { checkBundle, checkManifest, readZip, writeZip, type CheckResult } from '../../src/engine/index.js';
import { makeBundle, semanticSpec } from '../helpers/bundles.js';

// the suite's limit per verdict (memory: the zip bomb case measures its own; nothing here holds more than ~100 MB)
vi.setConfig({ testTimeout: 30_000 });

const codes = (r: CheckResult) => r.reasons.map((x) => x.code);

/** A bundle with its manifest edited (hashes of the other files kept) and extra entries added. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a manifest being made hostile
async function edited(edit: (m: Record<string, any>) => void, extra: Record<string, Uint8Array> = {}): Promise<Uint8Array> {
  const { bundle } = await makeBundle();
  const files = readZip(bundle);
  const manifest = JSON.parse(new TextDecoder().decode(files.get('learnware.json')));
  edit(manifest);
  files.set('learnware.json', new TextEncoder().encode(JSON.stringify(manifest)));
  for (const [name, bytes] of Object.entries(extra)) files.set(name, bytes);
  return writeZip(files);
}

describe('hostile bundles: names are looked up as own properties (defect 8)', () => {
  it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf'])('an unlisted entry named %s is UNLISTED_FILE', async (name) => {
    const bundle = await edited(() => undefined, { [name]: new TextEncoder().encode('alert(1)') });
    const result = await checkBundle(bundle);
    expect(result.status).toBe('INVALID');
    expect(codes(result)).toEqual(['UNLISTED_FILE']);
  });

  it('an unhashed model named constructor is refused: files does not list it', async () => {
    const { bundle } = await makeBundle();
    const model = readZip(bundle).get('model.onnx')!;
    const smuggled = await edited(
      (m) => {
        m.model.file = 'constructor';
        delete m.files['model.onnx'];
      },
      { constructor: model },
    );
    const files = readZip(smuggled);
    files.delete('model.onnx');
    const result = await checkBundle(writeZip(files));
    expect(result.status).toBe('INVALID');
    expect(result.reasons).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'BAD_MANIFEST', message: 'files does not list constructor' })]));
  });

  it('a spec file named toString that files does not list is refused', async () => {
    const problems = checkManifest({ ...(await makeBundle()).manifest, specs: [{ file: 'toString', type: 'table-rkme' }] });
    expect(problems.map((p) => p.message)).toContain('files does not list toString');
  });
});

describe('hostile bundles: class names (defects 4 and 11)', () => {
  it.each([
    ['a CR', 'rain\rsun'],
    ['a LF', 'rain\n=1+1'],
    ['a tab', '\tcalc'],
    ['a NUL', 'rain\u0000'],
  ])('a class name with %s is refused at pack time (BAD_CLASS_NAME)', async (_, name) => {
    await expect(makeBundle({ classes: [name, 'sun'] })).rejects.toMatchObject({ code: 'BAD_CLASS_NAME' });
  });

  it('a manifest edited to hold a class name with a CR is INVALID at check time (BAD_CLASS_NAME)', async () => {
    const result = await checkBundle(await edited((m) => (m.model.output.classes = ['rain\r,=cmd', 'sun'])));
    expect(result.status).toBe('INVALID');
    expect(codes(result)).toEqual(['BAD_CLASS_NAME']);
  });

  it('formula-looking class names are allowed: the CSV writers neutralise them', async () => {
    const { manifest } = await makeBundle({ classes: ["=cmd|' /C calc'!A0", '@sun'] });
    expect(manifest.model.output.classes).toEqual(["=cmd|' /C calc'!A0", '@sun']);
  });

  it('duplicate class names are refused at pack and at check time (DUPLICATE_CLASS)', async () => {
    await expect(makeBundle({ classes: ['rain', 'rain'] })).rejects.toMatchObject({ code: 'DUPLICATE_CLASS' });
    const result = await checkBundle(await edited((m) => (m.model.output.classes = ['rain', 'rain'])));
    expect(codes(result)).toEqual(['DUPLICATE_CLASS']);
  });
});

describe('hostile bundles: missing semantic fields (defect 11)', () => {
  it('a manifest without semantic Output (Task Others) is refused; so is a Task that does not fit the model', async () => {
    const { manifest } = await makeBundle();
    const semantic = semanticSpec({ Task: { Type: 'Class', Values: ['Others'] } });
    delete semantic.Output;
    const problems = checkManifest({ ...manifest, semantic });
    expect(problems.map((p) => p.field)).toEqual(expect.arrayContaining(['semantic.Output', 'semantic.Task']));
    expect(problems.find((p) => p.field === 'semantic.Output')?.code).toBe('MISSING_FIELD');
    const noInput = semanticSpec();
    delete noInput.Input;
    expect(checkManifest({ ...manifest, semantic: noInput }).map((p) => p.field)).toContain('semantic.Input');
    // a model that takes float32 features is not a text model, whatever its semantic spec says
    const text = semanticSpec({ Data: { Type: 'Class', Values: ['Text'] } });
    expect(checkManifest({ ...manifest, semantic: text }).map((p) => p.field)).toContain('semantic.Data');
  });
});
