/** The assignment problem (column matching, docs/heterogeneous.md §1; island links, catalog/links.ts). Imports nothing. */

/**
 * A minimum-cost assignment of rows to columns of a rectangular cost matrix (Hungarian method with
 * potentials, O(n²m)); returns for each row its column, or −1 when there are more rows than columns.
 */
export function hungarian(cost: readonly (readonly number[])[]): number[] {
  const n = cost.length;
  const m = n === 0 ? 0 : cost[0].length;
  if (n === 0) return [];
  const transpose = n > m;
  const rows = transpose ? m : n;
  const cols = transpose ? n : m;
  const at = (i: number, j: number) => (transpose ? cost[j][i] : cost[i][j]);
  const u = new Float64Array(rows + 1);
  const v = new Float64Array(cols + 1);
  const owner = new Int32Array(cols + 1); // owner[j]: row (1-based) assigned to column j
  const way = new Int32Array(cols + 1);
  for (let i = 1; i <= rows; i++) {
    owner[0] = i;
    let j0 = 0;
    const minv = new Float64Array(cols + 1).fill(Infinity);
    const used = new Uint8Array(cols + 1);
    do {
      used[j0] = 1;
      const i0 = owner[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= cols; j++) {
        if (used[j]) continue;
        const c = at(i0 - 1, j - 1) - u[i0] - v[j];
        if (c < minv[j]) {
          minv[j] = c;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= cols; j++) {
        if (used[j]) {
          u[owner[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (owner[j0] !== 0);
    do {
      const j1 = way[j0];
      owner[j0] = owner[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const result = new Array<number>(n).fill(-1);
  for (let j = 1; j <= cols; j++) {
    if (owner[j] === 0) continue;
    if (transpose) result[j - 1] = owner[j] - 1;
    else result[owner[j] - 1] = j - 1;
  }
  return result;
}
