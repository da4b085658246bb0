/**
 * yargs-parser strips one pair of quotes from the value of `--opt=VALUE` (always, unlike `--opt VALUE`), so
 * `--profile="'prod'"` would select `prod`. Wrapping such a value in one more pair makes it arrive as typed.
 */
export function keepQuotes(argv: string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((arg, i) => {
    if (end !== -1 && i >= end) return arg;
    const m = /^(--[^=]+=)(['"][\s\S]*)$/.exec(arg);
    return m?.[2].endsWith(m[2][0]) ? `${m[1]}"${m[2]}"` : arg;
  });
}
