/**
 * Hostile ONNX models, written with the engine's own protobuf writer (no binary fixtures): a Loop
 * whose trip count keeps onnxruntime busy for minutes, and a ConstantOfShape that allocates
 * gigabytes. Both take [N, features] float32 and end in a softmax over `classes`, so everything
 * around the run (names, declared shapes) is well formed.
 */
import { ProtoWriter } from '../../src/engine/model/protobuf.js';

type Build = (w: ProtoWriter) => void;
const FLOAT = 1;
const INT64 = 7;
const BOOL = 9;

function node(op: string, inputs: string[], outputs: string[], attributes: Build[] = []): Build {
  return (w) => {
    for (const i of inputs) w.string(1, i);
    for (const o of outputs) w.string(2, o);
    w.string(3, `${op}_${outputs[0]}`);
    w.string(4, op);
    for (const a of attributes) w.message(5, a);
  };
}

function int64Tensor(name: string, dims: number[], values: number[]): Build {
  return (w) => {
    for (const d of dims) w.int(1, d);
    w.int(2, INT64);
    for (const v of values) w.int(7, v);
    w.string(8, name);
  };
}

function boolTensor(name: string, value: boolean): Build {
  return (w) => {
    w.int(2, BOOL);
    w.bytes(9, new Uint8Array([value ? 1 : 0]));
    w.string(8, name);
  };
}

function floatTensor(name: string, dims: number[], values: number[]): Build {
  return (w) => {
    for (const d of dims) w.int(1, d);
    w.int(2, FLOAT);
    w.bytes(9, new Uint8Array(new Float32Array(values).buffer));
    w.string(8, name);
  };
}

/** a value info of elemType with dims (numbers fixed, strings symbolic); no dims: a scalar */
function valueInfo(name: string, elemType: number, dims: (number | string)[] | null): Build {
  return (w) => {
    w.string(1, name);
    w.message(2, (type) =>
      type.message(1, (t) => {
        t.int(1, elemType);
        if (dims) t.message(2, (shape) => dims.forEach((d) => shape.message(1, (x) => (typeof d === 'string' ? x.string(2, d) : x.int(1, d)))));
      }),
    );
  };
}

function model(nodes: Build[], initializers: Build[], inputs: Build[], outputs: Build[]): Uint8Array {
  return new ProtoWriter()
    .int(1, 8)
    .string(2, 'hostile-test')
    .message(7, (g) => {
      for (const n of nodes) g.message(1, n);
      g.string(2, 'hostile');
      for (const t of initializers) g.message(5, t);
      for (const i of inputs) g.message(11, i);
      for (const o of outputs) g.message(12, o);
    })
    .message(8, (o) => o.string(1, '').int(2, 17))
    .finish();
}

/** the dense softmax head every hostile model ends in: logits = x · W + b over `classes` */
function head(input: string, features: number, classes: number): { nodes: Build[]; initializers: Build[] } {
  const weights = Array.from({ length: features * classes }, (_, i) => ((i % 5) - 2) * 0.1);
  return {
    nodes: [node('MatMul', [input, 'W'], ['logits']), node('Add', ['logits', 'B'], ['sum']), node('Softmax', ['sum'], ['output'], [(a) => a.string(1, 'axis').int(3, 1).int(20, 2)])],
    initializers: [floatTensor('W', [features, classes], weights), floatTensor('B', [classes], new Array(classes).fill(0))],
  };
}

/**
 * input → Loop(trip count `iterations`, carrying the input through Identity) → softmax head.
 * 2·10⁸ iterations keep onnxruntime busy for minutes and cannot be interrupted from its thread.
 */
export function loopHangModel(iterations: number, features = 3, classes = 2): Uint8Array {
  const body: Build = (g) => {
    g.message(1, node('Identity', ['cond_in'], ['cond_out']));
    g.message(1, node('Identity', ['v_in'], ['v_out']));
    g.string(2, 'body');
    g.message(11, valueInfo('iter', INT64, []));
    g.message(11, valueInfo('cond_in', BOOL, []));
    g.message(11, valueInfo('v_in', FLOAT, ['N', features]));
    g.message(12, valueInfo('cond_out', BOOL, []));
    g.message(12, valueInfo('v_out', FLOAT, ['N', features]));
  };
  const loop = node('Loop', ['M', 'cond', 'input'], ['looped'], [(a) => a.string(1, 'body').message(6, body).int(20, 5)]);
  const { nodes, initializers } = head('looped', features, classes);
  return model(
    [loop, ...nodes],
    [int64Tensor('M', [], [iterations]), boolTensor('cond', true), ...initializers],
    [valueInfo('input', FLOAT, ['N', features])],
    [valueInfo('output', FLOAT, ['N', classes])],
  );
}

/**
 * A model that passes the checker and hangs on the user's data: the Loop's trip count is
 * max |x| · `scale`, a few iterations on the probe rows drawn from its spec (values of a few
 * units), 10⁹ on a table holding one cell of 10⁸ (scale 10).
 */
export function dataDependentLoopModel(scale = 10, features = 3, classes = 2): Uint8Array {
  const body: Build = (g) => {
    g.message(1, node('Identity', ['cond_in'], ['cond_out']));
    g.message(1, node('Identity', ['v_in'], ['v_out']));
    g.string(2, 'body');
    g.message(11, valueInfo('iter', INT64, []));
    g.message(11, valueInfo('cond_in', BOOL, []));
    g.message(11, valueInfo('v_in', FLOAT, ['N', features]));
    g.message(12, valueInfo('cond_out', BOOL, []));
    g.message(12, valueInfo('v_out', FLOAT, ['N', features]));
  };
  const { nodes, initializers } = head('looped', features, classes);
  return model(
    [
      node('Abs', ['input'], ['magnitude']),
      node('ReduceMax', ['magnitude'], ['largest'], [(a) => a.string(1, 'keepdims').int(3, 0).int(20, 2)]),
      node('Mul', ['largest', 'scale'], ['scaled']),
      node('Cast', ['scaled'], ['M'], [(a) => a.string(1, 'to').int(3, INT64).int(20, 2)]),
      node('Loop', ['M', 'cond', 'input'], ['looped'], [(a) => a.string(1, 'body').message(6, body).int(20, 5)]),
      ...nodes,
    ],
    [floatTensor('scale', [], [scale]), boolTensor('cond', true), ...initializers],
    [valueInfo('input', FLOAT, ['N', features])],
    [valueInfo('output', FLOAT, ['N', classes])],
  );
}

/**
 * input → softmax head, plus a ConstantOfShape [rows × cols] (float32 zeros: rows·cols·4 bytes)
 * reduced to a scalar and added to the output, so onnxruntime cannot drop it. 30000 × 30000 is
 * 3.6 GB from a file of a few hundred bytes. `shapeFrom` says where the shape comes from: an
 * initializer, or a Constant node.
 */
export function constantOfShapeBomb(rows: number, cols: number, shapeFrom: 'initializer' | 'constant' | 'computed' = 'initializer', features = 3, classes = 2): Uint8Array {
  const { nodes, initializers } = head('input', features, classes);
  const shape = int64Tensor(shapeFrom === 'computed' ? 'given' : 'shape', [2], [rows, cols]);
  // 'computed': the shape passes through a Max node, so no static look at the file sees its size
  const shapeNodes =
    shapeFrom === 'constant'
      ? [node('Constant', [], ['shape'], [(a) => a.string(1, 'value').message(5, shape).int(20, 4)])]
      : shapeFrom === 'computed'
        ? [node('Max', ['given', 'given'], ['shape'])]
        : [];
  return model(
    [
      ...shapeNodes,
      node('ConstantOfShape', ['shape'], ['big']),
      node('ReduceSum', ['big'], ['total'], [(a) => a.string(1, 'keepdims').int(3, 0).int(20, 2)]),
      ...nodes.slice(0, 2),
      node('Add', ['sum', 'total'], ['shifted']),
      node('Softmax', ['shifted'], ['output'], [(a) => a.string(1, 'axis').int(3, 1).int(20, 2)]),
    ],
    [...(shapeFrom === 'constant' ? [] : [shape]), ...initializers],
    [valueInfo('input', FLOAT, ['N', features])],
    [valueInfo('output', FLOAT, ['N', classes])],
  );
}
