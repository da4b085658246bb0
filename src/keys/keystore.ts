import type { Env } from '../profiles/configPaths';
import type { Keystore } from '../profiles/resolvePlan';
import { sessionCache } from '../session/cacheSettings';
import { keyringLookup } from './keyring';
import { readKeyringIndex } from './keyringIndex';

/**
 * Resolution's keystore for a command that needs long-term keys: the OS keyring, opened only when a profile has none
 * in the files; the index (read only then) tells a keyring that cannot be reached from keys that were never there.
 * `env` is the user's original environment; the addon itself reads the process's (DBUS_SESSION_BUS_ADDRESS).
 */
export function keystoreFor(env: Env, io: { uid: number; now(): number }): Keystore {
  const cache = sessionCache(env, io);
  return keyringLookup(env, (account) => readKeyringIndex(cache).has(account));
}
