/**
 * One process of the machine's ceiling in bench/spec-workers.ts: tfjs WASM multiplying a
 * 2,048 × 51 block by 51 × 100 (the pool's block, 100 centres) 1,500 times on one thread, after a
 * warm-up; prints the milliseconds. Run once alone and twice at once, it tells how much two cores
 * together give the kind of work the lanes do, whatever the pool does.
 */
import * as tf from '@tensorflow/tfjs-core';
import { resolveBackend } from '../src/engine/kernels/resolve.js';
import { NODE_WASM_PATHS } from '../src/cli/node-backend.js';

await resolveBackend({ preference: ['wasm'], wasmPaths: NODE_WASM_PATHS });
const a = tf.randomNormal([2048, 51]);
const b = tf.randomNormal([51, 100]);
const multiply = async (times: number) => {
  for (let i = 0; i < times; i++) {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  }
};
await multiply(50);
const started = performance.now();
await multiply(1500);
console.log(JSON.stringify({ ms: performance.now() - started }));
