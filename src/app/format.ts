/**
 * How the pages write things a person reads: numbers with thousands separators, the compute
 * backend's line, a stat.json laid out readably. Plain functions, no state.
 */

/** 90000 → "90,000" (the page's language is English). */
export const count = (n: number): string => n.toLocaleString('en');

/**
 * The backend's device text without the backend's own name repeated before it: the badge already
 * says "WASM", so "wasm (SIMD, single thread)" reads "SIMD, single thread" and "webgpu: NVIDIA …" reads "NVIDIA …".
 */
export function deviceDetail(device: string): string {
  const rest = device
    .replace(/^(webgpu|wasm|tfjs cpu|cpu|ts)\b\s*:?\s*/i, '')
    .replace(/^\((.*)\)$/, '$1')
    .trim();
  return rest;
}

/** A stat.json text pretty-printed: two-space indents, each array of numbers on one line (a reduced point per line). */
export function readableJson(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  return JSON.stringify(value, null, 2).replace(/\[\s*((?:-?[\d.eE+-]+,\s*)*-?[\d.eE+-]+)\s*\]/g, (_, inner: string) => `[${inner.replace(/,\s*/g, ', ')}]`);
}
