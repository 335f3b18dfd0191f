/**
 * The Float64 sums of a Lloyd step, one block of rows at a time: every backend and the pool
 * (kernels/pool.ts) add the blocks' partial sums in block order, so they agree bit for bit.
 */

export interface ClusterSums {
  /** m×d */
  sums: Float64Array;
  /** m */
  counts: Float64Array;
}

/** Σ and count of the rows of one block (row-major rows×d) assigned to each of m centres. */
export function clusterSums(values: Float64Array, index: Int32Array, m: number, d: number): ClusterSums {
  const sums = new Float64Array(m * d);
  const counts = new Float64Array(m);
  for (let l = 0; l < index.length; l++) {
    const i = index[l];
    counts[i]++;
    const so = i * d;
    const xo = l * d;
    for (let f = 0; f < d; f++) sums[so + f] += values[xo + f];
  }
  return { sums, counts };
}

/** total += block, in place. */
export function addBlockSums(total: ClusterSums, block: ClusterSums): void {
  for (let j = 0; j < total.sums.length; j++) total.sums[j] += block.sums[j];
  for (let i = 0; i < total.counts.length; i++) total.counts[i] += block.counts[i];
}
