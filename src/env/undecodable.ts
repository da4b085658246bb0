import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors';
import type { Env } from '../profiles/configPaths';

/**
 * Node decodes the environment as UTF-8 and turns bytes that are not UTF-8 into U+FFFD, so a value mfa-env saves and
 * later gives back (`MFA_ENV_SAVED_*`, restored by `--clear`) would come back changed. Such a value is refused
 * instead. Only values that hold U+FFFD are looked at, so the usual run reads no extra file.
 */
export function checkDecodable(
  env: Env,
  names: Iterable<string>,
  rawValue: (name: string) => Buffer | undefined = rawFromProc,
): void {
  for (const name of names) {
    const value = env[name];
    if (value === undefined || !value.includes('\uFFFD')) continue;
    const raw = rawValue(name);
    // Without the raw bytes (no /proc) a U+FFFD cannot be told from a decoding loss, so it counts as one.
    if (raw === undefined || !raw.equals(Buffer.from(value, 'utf8'))) {
      throw new ConfigError(
        `${name} holds bytes that are not UTF-8, which mfa-env cannot keep and give back exactly; unset ${name} or give it a UTF-8 value`,
      );
    }
  }
}

let environ: Map<string, Buffer> | undefined;

/** The value of NAME as the kernel passed it to this process (Linux), or undefined when that cannot be read. */
function rawFromProc(name: string): Buffer | undefined {
  if (!environ) {
    environ = new Map();
    try {
      const all = readFileSync('/proc/self/environ');
      let start = 0;
      while (start < all.length) {
        let end = all.indexOf(0, start);
        if (end === -1) end = all.length;
        const entry = all.subarray(start, end);
        const eq = entry.indexOf(0x3d);
        if (eq > 0) environ.set(entry.subarray(0, eq).toString('latin1'), entry.subarray(eq + 1));
        start = end + 1;
      }
    } catch {
      // Not Linux, or /proc not mounted: every U+FFFD is refused.
    }
  }
  return environ.get(name);
}
