/**
 * Runs the CLI's `main(argv)` (src/cli/main.ts) in the test's own process and captures what it
 * writes to process.stdout and process.stderr: {code, stdout, stderr} like `cli()` of ./cli.ts,
 * without the 2–4 s start of a subprocess (tsx, tfjs, onnxruntime) and with the word vectors
 * loaded once per test file (src/cli/texts.ts caches them) instead of once per call.
 *
 * What only a subprocess proves stays with `cli()`: the bin's exit status, that nothing but one
 * error line reaches stderr (no stack trace, no unhandled rejection), and anything that depends on
 * the environment at start (LEARNWARE_DOCK_EMBEDDER: the vectors are cached after the first load).
 *
 * main() never exits the process; it returns the exit code the bin sets. Each call sets a new model
 * host (one worker thread, unreferenced: it never keeps the test process alive); the host that was
 * current before is put back afterwards. Capturing the output is global state: calls take turns
 * (awaited one after another, never Promise.all) — a call made while another runs waits for it.
 */
import { modelHost, setModelHost } from '../../src/engine/index.js';
import { main } from '../../src/cli/main.js';

type Write = typeof process.stdout.write;

let queue: Promise<unknown> = Promise.resolve();

function capture(stream: NodeJS.WriteStream, chunks: string[]): () => void {
  const original = stream.write;
  const decoder = new TextDecoder();
  stream.write = ((chunk: string | Uint8Array, encoding?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void) => {
    chunks.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk));
    const done = typeof encoding === 'function' ? encoding : callback;
    if (done) queueMicrotask(() => done(null));
    return true;
  }) as Write;
  return () => {
    stream.write = original;
  };
}

async function runMain(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const host = modelHost();
  const restoreOut = capture(process.stdout, out);
  const restoreErr = capture(process.stderr, err);
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    restoreOut();
    restoreErr();
    setModelHost(host);
  }
}

export function cliInProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = queue.then(() => runMain(args));
  queue = result.catch(() => undefined);
  return result;
}
