import type { EnvChange } from '../envChange';
import { checkName, checkValue } from './checks';

/**
 * POSIX sh, bash, dash and zsh. Inside single quotes nothing is special, so a value is written as single-quoted
 * runs joined by `\'` (the `'\''` idiom without its empty runs).
 */
export function quoteSh(value: string): string {
  if (value === '') return "''";
  return value
    .split("'")
    .map((run) => (run === '' ? '' : `'${run}'`))
    .join("\\'");
}

export function renderSh(change: EnvChange): string {
  let out = '';
  for (const [name, value] of change) {
    checkName(name);
    if (value === null) {
      out += `unset ${name}\n`;
    } else {
      checkValue(name, value);
      out += `export ${name}=${quoteSh(value)}\n`;
    }
  }
  return out;
}
