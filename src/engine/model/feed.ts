/** The input tensor of an ONNX model run (model/onnx-runner.ts): Float32 rows × features for tables, int64 token ids for text. Imports nothing. */
export type ModelFeed = { dtype: 'float32'; data: Float32Array; dims: number[] } | { dtype: 'int64'; data: BigInt64Array; dims: number[] };
