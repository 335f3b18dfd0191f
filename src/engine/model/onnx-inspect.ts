/**
 * A static look at an ONNX model before it runs: reads the graph (and every subgraph: Loop, If,
 * Scan bodies) with a minimal protobuf reader and finds the nodes whose output size is written in
 * the file itself — ConstantOfShape and Expand fed a constant shape (an initializer or a Constant
 * node). A 500-byte model asking for a 30,000 × 30,000 tensor is refused here, before onnxruntime
 * allocates 3.6 GB. What it cannot see (shapes computed at run time) is bounded by the model host's
 * memory cap (docs/security.md). Imports only core/.
 */
import { ModelError } from '../core/errors.js';

/** Field numbers of onnx.proto3 used here. */
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_OP = 4;
const NODE_ATTRIBUTE = 5;
const ATTR_NAME = 1;
const ATTR_TENSOR = 5;
const ATTR_GRAPH = 6;
const ATTR_GRAPHS = 11;
const TENSOR_TYPE = 2;
const TENSOR_INT32 = 5;
const TENSOR_INT64 = 7;
const TENSOR_NAME = 8;
const TENSOR_RAW = 9;

/** bytes per element of ONNX TensorProto data types (unknown types count 8) */
const ELEMENT_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };
const MAX_DEPTH = 16;

interface Field {
  number: number;
  wire: number;
  /** varint value (wire type 0) */
  value: bigint;
  /** bytes (wire type 2) */
  bytes: Uint8Array;
}

/** The fields of one protobuf message; a malformed message ends the list (onnxruntime reports it on load). */
function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length || shift > 63n) throw new RangeError('truncated varint');
      const b = buf[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  const empty = new Uint8Array(0);
  try {
    while (pos < buf.length) {
      const key = Number(varint());
      const number = key >>> 3;
      const wire = key & 7;
      if (wire === 0) out.push({ number, wire, value: varint(), bytes: empty });
      else if (wire === 2) {
        const length = Number(varint());
        if (pos + length > buf.length) break;
        out.push({ number, wire, value: 0n, bytes: buf.subarray(pos, pos + length) });
        pos += length;
      } else if (wire === 1) pos += 8;
      else if (wire === 5) pos += 4;
      else break;
    }
  } catch {
    // a truncated field: keep what was read
  }
  return out;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** repeated int64 read either packed (wire 2) or one by one (wire 0); int64 read as signed */
function int64s(list: Field[], number: number): bigint[] {
  const values: bigint[] = [];
  for (const f of list) {
    if (f.number !== number) continue;
    if (f.wire === 0) values.push(BigInt.asIntN(64, f.value));
    else if (f.wire === 2) for (const p of fields(packedAsFields(f.bytes))) values.push(BigInt.asIntN(64, p.value));
  }
  return values;
}

/** a packed varint run rewritten as field-1 varints, so fields() reads it */
function packedAsFields(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  let start = true;
  for (const b of bytes) {
    if (start) out.push(0x08);
    out.push(b);
    start = (b & 0x80) === 0;
  }
  return Uint8Array.from(out);
}

interface ConstTensor {
  values: bigint[] | null;
  dataType: number;
}

/** The integer values of a TensorProto (int64 or int32, raw or not), or null when they are not integers. */
function tensorValues(bytes: Uint8Array): { name: string; tensor: ConstTensor } {
  const list = fields(bytes);
  const name = text(list.find((f) => f.number === TENSOR_NAME)?.bytes ?? new Uint8Array(0));
  const dataType = Number(list.find((f) => f.number === TENSOR_TYPE)?.value ?? 1n);
  let values: bigint[] | null = null;
  if (dataType === 7 || dataType === 6) {
    const raw = list.find((f) => f.number === TENSOR_RAW && f.wire === 2)?.bytes;
    if (raw) {
      const size = dataType === 7 ? 8 : 4;
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      values = [];
      for (let i = 0; i + size <= raw.length; i += size) values.push(size === 8 ? view.getBigInt64(i, true) : BigInt(view.getInt32(i, true)));
    } else values = int64s(list, dataType === 7 ? TENSOR_INT64 : TENSOR_INT32);
  }
  return { name, tensor: { values, dataType } };
}

export interface ModelFootprint {
  /** the largest tensor whose size the file fixes (bytes), and the node that makes it */
  largestConstantBytes: number;
  largestConstantNode: string | null;
}

/** Walks every graph of the model; the size of each ConstantOfShape / Expand output fixed by the file. */
export function modelFootprint(bytes: Uint8Array): ModelFootprint {
  const footprint: ModelFootprint = { largestConstantBytes: 0, largestConstantNode: null };
  const graph = fields(bytes).find((f) => f.number === MODEL_GRAPH && f.wire === 2);
  if (graph) walkGraph(graph.bytes, new Map(), footprint, 0);
  return footprint;
}

function walkGraph(bytes: Uint8Array, outer: Map<string, ConstTensor>, footprint: ModelFootprint, depth: number): void {
  if (depth > MAX_DEPTH) return;
  const list = fields(bytes);
  const constants = new Map(outer);
  for (const f of list) {
    if (f.number !== GRAPH_INITIALIZER || f.wire !== 2) continue;
    const { name, tensor } = tensorValues(f.bytes);
    constants.set(name, tensor);
  }
  for (const f of list) {
    if (f.number !== GRAPH_NODE || f.wire !== 2) continue;
    const node = fields(f.bytes);
    const op = text(node.find((x) => x.number === NODE_OP)?.bytes ?? new Uint8Array(0));
    const inputs = node.filter((x) => x.number === NODE_INPUT).map((x) => text(x.bytes));
    const outputs = node.filter((x) => x.number === NODE_OUTPUT).map((x) => text(x.bytes));
    const attributes = node.filter((x) => x.number === NODE_ATTRIBUTE && x.wire === 2).map((x) => fields(x.bytes));
    for (const attribute of attributes) {
      for (const g of attribute) if ((g.number === ATTR_GRAPH || g.number === ATTR_GRAPHS) && g.wire === 2) walkGraph(g.bytes, constants, footprint, depth + 1);
    }
    if (op === 'Constant') {
      const value = attributes.find((a) => text(a.find((x) => x.number === ATTR_NAME)?.bytes ?? new Uint8Array(0)) === 'value');
      const t = value?.find((x) => x.number === ATTR_TENSOR && x.wire === 2);
      if (t && outputs[0]) constants.set(outputs[0], tensorValues(t.bytes).tensor);
      continue;
    }
    if (op !== 'ConstantOfShape' && op !== 'Expand') continue;
    const shape = constants.get(inputs[op === 'Expand' ? 1 : 0] ?? '')?.values;
    if (!shape || shape.some((d) => d < 0n)) continue;
    let elementBytes = 4;
    if (op === 'ConstantOfShape') {
      const value = attributes.find((a) => text(a.find((x) => x.number === ATTR_NAME)?.bytes ?? new Uint8Array(0)) === 'value');
      const t = value?.find((x) => x.number === ATTR_TENSOR && x.wire === 2);
      if (t) elementBytes = ELEMENT_BYTES[tensorValues(t.bytes).tensor.dataType] ?? 8;
    } else {
      elementBytes = ELEMENT_BYTES[constants.get(inputs[0] ?? '')?.dataType ?? 1] ?? 4;
    }
    const size = shape.reduce((a, d) => a * Number(d), elementBytes);
    if (size > footprint.largestConstantBytes) {
      footprint.largestConstantBytes = size;
      footprint.largestConstantNode = `${op} ${outputs[0] ?? ''} [${shape.join(' × ')}]`;
    }
  }
}

/** Refuses (MODEL_MEMORY) a model whose file fixes a tensor larger than `limitBytes`. */
export function assertModelFootprint(bytes: Uint8Array, limitBytes: number): void {
  const { largestConstantBytes, largestConstantNode } = modelFootprint(bytes);
  if (largestConstantBytes > limitBytes)
    throw new ModelError(
      'MODEL_MEMORY',
      `the model asks for a ${formatBytes(largestConstantBytes)} tensor (${largestConstantNode}); a model run may allocate at most ${formatBytes(limitBytes)}`,
      { bytes: largestConstantBytes, limit: limitBytes },
    );
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'unbounded';
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  return `${Math.ceil(bytes / 1024)} KiB`;
}
