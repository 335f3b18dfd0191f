import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FormatError, innerProduct, parseStatSpec, parseTableSpec, serializeStatSpec, squaredMmd, type RkmeTableSpec } from '../../src/engine/index.js';

const PYTHON_FIXTURE = readFileSync(new URL('../fixtures/python-stat.json', import.meta.url), 'utf8');

function spec(z: number[][], beta: number[], gamma = 0.1): RkmeTableSpec {
  return parseTableSpec(JSON.stringify({ z, beta, gamma, num_points: 10, type: 'RKMETableSpecification' }));
}

describe('stat.json interoperability', () => {
  it('reads a Python-made stat.json exactly', () => {
    const s = parseTableSpec(PYTHON_FIXTURE);
    const raw = JSON.parse(PYTHON_FIXTURE);
    expect(s.K).toBe(4);
    expect(s.d).toBe(3);
    expect(Array.from(s.z)).toEqual(raw.z.flat());
    expect(Array.from(s.beta)).toEqual(raw.beta);
    expect(s.gamma).toBe(0.1);
    expect(s.numPoints).toBe(1000);
    expect(s.scale).toBeNull();
    // self inner product computed directly from the JSON arrays
    let direct = 0;
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) {
        const d2 = raw.z[i].reduce((acc: number, v: number, f: number) => acc + (v - raw.z[j][f]) ** 2, 0);
        direct += raw.beta[i] * raw.beta[j] * Math.exp(-0.1 * d2);
      }
    expect(innerProduct(s, s)).toBeCloseTo(direct, 14);
  });

  it('writes specs without a scale in exactly the reference layout, byte for byte', () => {
    const s = parseTableSpec(PYTHON_FIXTURE);
    const written = serializeStatSpec(s);
    expect(Object.keys(JSON.parse(written)).sort()).toEqual(['beta', 'gamma', 'num_points', 'type', 'z']);
    expect(JSON.parse(written)).toEqual(JSON.parse(PYTHON_FIXTURE));
    expect(written).not.toMatch(/\s/); // compact separators
    expect(serializeStatSpec(parseStatSpec(written))).toBe(written);
  });

  it('round-trips the scale, feature names and provenance extensions', () => {
    const s = spec(
      [
        [1, 2],
        [3, 4],
      ],
      [0.25, 0.75],
    );
    const scaled: RkmeTableSpec = { ...s, scale: new Float64Array([2, 0.5]), scaleSource: 'std', featureNames: ['a', 'b'] };
    const back = parseTableSpec(serializeStatSpec(scaled));
    expect(Array.from(back.scale!)).toEqual([2, 0.5]);
    expect(back.scaleSource).toBe('std');
    expect(back.featureNames).toEqual(['a', 'b']);
    expect(squaredMmd(back, scaled)).toBeCloseTo(0, 15);
  });

  it('matches the reference MMD test vector (docs/algorithms.md §1.7) to 1e-9', () => {
    const a = spec(
      [
        [0, 0],
        [1, 0],
      ],
      [0.5, 0.5],
    );
    const b = spec([[0, 1]], [1]);
    expect(innerProduct(a, a)).toBeCloseTo(0.952418709018, 9);
    expect(innerProduct(a, b)).toBeCloseTo(0.861784085557, 9);
    expect(innerProduct(b, b)).toBeCloseTo(1, 12);
    expect(Math.abs(squaredMmd(a, b) - 0.228850537904)).toBeLessThan(1e-9);
    expect(Math.abs(squaredMmd(b, a) - 0.228850537904)).toBeLessThan(1e-9);
  });

  it.each([
    ['not json', '{"z":', ''],
    ['array at top level', '[1,2]', ''],
    ['missing type', '{"z":[[1]],"beta":[1],"gamma":0.1,"num_points":1}', 'type'],
    ['unknown type', '{"z":[[1]],"beta":[1],"gamma":0.1,"num_points":1,"type":"Foo"}', 'type'],
    ['unknown field', '{"z":[[1]],"beta":[1],"gamma":0.1,"num_points":1,"type":"RKMETableSpecification","zz":1}', 'zz'],
    ['missing beta', '{"z":[[1]],"gamma":0.1,"num_points":1,"type":"RKMETableSpecification"}', 'beta'],
    ['ragged z', '{"z":[[1,2],[3]],"beta":[0.5,0.5],"gamma":0.1,"num_points":1,"type":"RKMETableSpecification"}', 'z[1]'],
    ['string in z', '{"z":[[1,"x"]],"beta":[1],"gamma":0.1,"num_points":1,"type":"RKMETableSpecification"}', 'z[0][1]'],
    ['beta length', '{"z":[[1],[2]],"beta":[1],"gamma":0.1,"num_points":1,"type":"RKMETableSpecification"}', 'beta'],
    ['negative gamma', '{"z":[[1]],"beta":[1],"gamma":-1,"num_points":1,"type":"RKMETableSpecification"}', 'gamma'],
    ['fractional num_points', '{"z":[[1]],"beta":[1],"gamma":0.1,"num_points":1.5,"type":"RKMETableSpecification"}', 'num_points'],
    ['zero scale', '{"z":[[1]],"beta":[1],"gamma":0.1,"num_points":1,"type":"RKMETableSpecification","scale":[0]}', 'scale[0]'],
  ])('rejects %s with an error naming the field', (_name, text, field) => {
    try {
      parseStatSpec(text);
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(FormatError);
      expect((error as FormatError).details.field).toBe(field);
      if (field) expect((error as Error).message).toContain(field.replace(/\[.*/, ''));
    }
  });

  it('says which field an image spec lacks', () => {
    expect(() => parseStatSpec('{"type":"RKMEImageSpecification"}')).toThrow(FormatError);
  });

  it('says heterogeneous table specs are not supported yet', () => {
    expect(() => parseStatSpec('{"type":"HeteroMapTableSpecification"}')).toThrow(/not supported yet/);
  });
});
