// Which profiles have keys in the OS keyring, by name only (no key, no key id). The shell integration decides from it
// which of them get a profile function without opening the keyring (a native addon, a D-Bus round trip, perhaps an
// unlock prompt: on every new terminal), and resolution tells from it a keyring that cannot be reached from a profile
// that has no keys anywhere. A hint, never the keys' authority: `mfa-env keys` changes it along with the keyring, and
// `mfa-env keys list` rebuilds it from the keyring. Kept beside the sessions, 0600 and written atomically.
import { join } from 'node:path';
import type { SessionCache } from '../session/cache';
import { forgetPlans } from '../session/planMemo';

export const KEYRING_INDEX_FILE = 'keyring-profiles.json';
/** More names than any keyring of AWS keys holds; a bigger file was not written by mfa-env and is ignored. */
const MAX_NAMES = 10_000;

export function keyringIndexPath(cacheDir: string): string {
  return join(cacheDir, KEYRING_INDEX_FILE);
}

/** The names, or none when the file is missing, unreadable, not the user's, or not what mfa-env writes. */
export function readKeyringIndex(cache: SessionCache): Set<string> {
  const text = cache.files.readText(keyringIndexPath(cache.dir), { quiet: true });
  if (text === undefined) return new Set();
  try {
    const { version, profiles } = JSON.parse(text) as { version?: unknown; profiles?: unknown };
    if (version !== 1 || !Array.isArray(profiles) || profiles.length > MAX_NAMES) return new Set();
    return new Set(profiles.filter((name): name is string => typeof name === 'string' && name !== ''));
  } catch {
    return new Set();
  }
}

/** Replaces the names; a problem (an unusable cache directory) is returned, for a warning. */
export function writeKeyringIndex(cache: SessionCache, names: Iterable<string>): string | undefined {
  return cache.files.writeText(
    keyringIndexPath(cache.dir),
    `${JSON.stringify({ version: 1, profiles: [...new Set(names)].sort() })}\n`,
  );
}

/**
 * After the keyring gained or lost an account's keys: the index says so, and the fast path's memos of profile
 * resolutions are dropped, since one may stand on keys that are gone or replaced (the next run resolves afresh).
 */
export function keyringChanged(
  cache: SessionCache,
  account: string,
  present: boolean,
  warn: (message: string) => void,
): void {
  const names = readKeyringIndex(cache);
  if (present) names.add(account);
  else names.delete(account);
  const problem = writeKeyringIndex(cache, names);
  if (problem)
    warn(
      `could not note in the cache directory which profiles have keys in the keyring (${problem}); their shell functions may be missing`,
    );
  forgetPlans(cache);
}
