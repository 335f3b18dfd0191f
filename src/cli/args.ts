/**
 * Minimal argument parser for the CLI: positionals plus `--name value` / `--name=value` /
 * boolean `--flag`. Unknown options are usage errors, never silently ignored.
 */
import { InputError } from '../engine/index.js';

export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[], valued: readonly string[], flags: readonly string[] = []): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--') || arg === '--') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (flags.includes(name)) {
      if (eq !== -1) throw usage(`--${name} takes no value`);
      options.set(name, true);
    } else if (valued.includes(name)) {
      const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq === -1 && value.startsWith('--'))) throw usage(`--${name} needs a value`);
      options.set(name, value);
    } else {
      throw usage(`unknown option --${name}`);
    }
  }
  return { positionals, options };
}

export function usage(message: string): InputError {
  return new InputError('USAGE', message);
}

export function numberOption(args: ParsedArgs, name: string, check: (v: number) => boolean, expected: string): number | undefined {
  const raw = args.options.get(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw === true || raw.trim() === '' || !Number.isFinite(value) || !check(value)) throw usage(`--${name} must be ${expected}, got ${JSON.stringify(raw)}`);
  return value;
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const raw = args.options.get(name);
  return typeof raw === 'string' ? raw : undefined;
}

export function listOption(args: ParsedArgs, name: string): string[] {
  const raw = stringOption(args, name);
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
