/** Command-line options of the benches: `--name value` and bare `--flag`. */
const argv = process.argv.slice(2);

/** the value after `--name`, or undefined */
export function option(name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** whether `--name` was given */
export function flag(name: string): boolean {
  return argv.includes(`--${name}`);
}
