/** ‖a_i − b_j‖² between row i of a and row j of b (row-major, d columns); V8 inlines it in hot loops. */
export function squaredDistance(a: Float64Array, i: number, b: Float64Array, j: number, d: number): number {
  const ao = i * d;
  const bo = j * d;
  let s = 0;
  for (let f = 0; f < d; f++) {
    const diff = a[ao + f] - b[bo + f];
    s += diff * diff;
  }
  return s;
}
