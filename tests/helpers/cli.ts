/**
 * Runs the real CLI (`bin/learnware-dock.js`) in a child process and captures its exit code and output.
 * Tests may start several at once (Promise.all, it.concurrent): at most one per CPU runs at a time, so a
 * busy machine is not oversubscribed (each start loads tfjs and onnxruntime) and the models' time limits
 * keep their margin.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const BIN = fileURLToPath(new URL('../../bin/learnware-dock.js', import.meta.url));
const run = promisify(execFile);

const SLOTS = Math.max(2, availableParallelism());
let running = 0;
const waiting: (() => void)[] = [];

/** Waits for a free slot; the returned function frees it (handing it straight to the next waiter, if any). */
async function slot(): Promise<() => void> {
  if (running < SLOTS) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  return () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
}

export async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const release = await slot();
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { maxBuffer: 64 * 2 ** 20, timeout: 240_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  } finally {
    release();
  }
}

/** What a CLI run gives back. */
export type CliResult = { code: number; stdout: string; stderr: string };

/** The result of a run that must succeed (else the error says its exit status and stderr). */
export function ok(result: CliResult): CliResult {
  if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
  return result;
}

/** A CSV the CLI wrote, as rows of cells (the tests' CSVs have no quoted commas). */
export function readCsv(file: string): string[][] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(','));
}
