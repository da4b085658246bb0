import type { EnvChange } from '../envChange';
import { checkName, checkValue } from './checks';

/** fish: inside single quotes only `\\` and `\'` are escapes. */
export function quoteFish(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function renderFish(change: EnvChange): string {
  let out = '';
  for (const [name, value] of change) {
    checkName(name);
    if (value === null) {
      // `set -e` fails (status 4) on a variable that is not set; that is not an error here.
      out += `set -e -g ${name}; or true\n`;
    } else {
      checkValue(name, value);
      // -g: output sourced inside a function would otherwise create a function-local variable.
      out += `set -gx ${name} ${quoteFish(value)}\n`;
    }
  }
  return out;
}
