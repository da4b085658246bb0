// The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows), where `mfa-env keys`
// keeps long-term keys out of the AWS files. It is reached through @napi-rs/keyring, a native addon loaded here
// only, by the paths that need long-term keys: never by the fast path (a cached session, `--clear`), nor at shell start.
import { platform } from 'node:os';
import type * as KeyringAddon from '@napi-rs/keyring';
import { ConfigError } from '../errors';
import { checkAccessKeyId, checkSecretAccessKey } from '../profiles/checks';
import type { Env } from '../profiles/configPaths';
import { escapeControls, show } from '../text/showText';

/** The service every entry is filed under; the account is the profile name (see keyringAccount), nothing else. */
export const KEYRING_SERVICE = 'mfa-env';

export interface StoredKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

export function sameKeys(a: StoredKeys, b: StoredKeys): boolean {
  return a.accessKeyId === b.accessKeyId && a.secretAccessKey === b.secretAccessKey;
}

/** Stores the keys and reads them back: only keys the keyring is seen to hold count as stored. */
export function storeConfirmed(keyring: Keyring, account: string, keys: StoredKeys): void {
  keyring.set(account, keys);
  const back = keyring.get(account);
  if (!back || !sameKeys(back, keys))
    throw new ConfigError(
      `the OS keyring did not keep the keys of profile ${show(account)} (reading them back gave ${back ? 'other keys' : 'none'})`,
    );
}

export interface Keyring {
  /** The keys kept for the account, checked; undefined when there are none. */
  get(account: string): StoredKeys | undefined;
  set(account: string, keys: StoredKeys): void;
  /** False when there was nothing to remove. */
  remove(account: string): boolean;
  /** Every account with an entry, and its keys or why they are not usable. */
  entries(): Array<{ account: string; keys?: StoredKeys; problem?: string }>;
}

/**
 * The keyring cannot be used at all (no Secret Service, locked, no addon for this platform): said once per run, with
 * what to do, whichever profile asked.
 */
export class KeyringUnavailable extends ConfigError {
  constructor(readonly reason: string) {
    super(`the OS keyring cannot be used: ${reason}`);
  }

  /** The same, for one thing that was being done. */
  while(doing: string): ConfigError {
    return new ConfigError(`${doing}: ${this.reason}`);
  }
}

// An entry is longer than this only if something else wrote it: it is not parsed.
const MAX_ENTRY = 4096;

/** Opens the OS keyring: loads the addon and, on Linux, connects to the Secret Service. */
export function openKeyring(env: Env): Keyring {
  let addon: typeof KeyringAddon;
  try {
    addon = require('@napi-rs/keyring') as typeof KeyringAddon;
  } catch (err) {
    throw new KeyringUnavailable(
      `its module (@napi-rs/keyring) has no build for this system (${brief(err)}); reinstall mfa-env with optional dependencies (npm install --include=optional), or keep the keys in the AWS credentials file`,
    );
  }
  // Without this the addon falls back on Linux to the kernel keyring, which forgets everything at reboot: keys moved
  // there would be lost.
  const options = { linux: { store: 'secret-service' as const } };
  // Each entry connects to the Secret Service as it is made: an unreachable one fails here.
  const entry = (account: string) => guarded(env, () => new addon.Entry(KEYRING_SERVICE, account, options));
  return {
    get(account) {
      const text = guarded(env, () => entry(account).getPassword());
      return text === null || text === undefined ? undefined : parseEntry(account, text);
    },
    set(account, keys) {
      const text = JSON.stringify({ version: 1, accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey });
      guarded(env, () => entry(account).setPassword(text));
    },
    remove(account) {
      return guarded(env, () => entry(account).deletePassword());
    },
    entries() {
      // The search has no such option: an entry made first proves it searches the Secret Service, not the fallback.
      entry(KEYRING_SERVICE);
      const found = guarded(env, () => addon.findCredentials(KEYRING_SERVICE));
      return found.map(({ account, password }) => {
        try {
          return { account, keys: parseEntry(account, password) };
        } catch (err) {
          return { account, problem: (err as Error).message };
        }
      });
    },
  };
}

/** What an entry holds, checked as any key from outside is: another program may have written it. */
function parseEntry(account: string, text: string): StoredKeys {
  const bad = () =>
    new ConfigError(
      `the OS keyring entry of profile ${show(account)} (service "${KEYRING_SERVICE}") does not hold keys mfa-env wrote; remove it (mfa-env keys remove ${show(account)}) and add the keys again`,
    );
  if (text.length > MAX_ENTRY) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw bad();
  }
  const { version, accessKeyId, secretAccessKey } = (parsed ?? {}) as Record<string, unknown>;
  if (version !== 1 || typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string') throw bad();
  const origin = `the OS keyring entry of profile ${show(account)}`;
  return {
    accessKeyId: checkAccessKeyId(accessKeyId, origin),
    secretAccessKey: checkSecretAccessKey(secretAccessKey, origin),
  };
}

/** Runs an addon call; a failure becomes KeyringUnavailable, saying what to do. Secrets never reach its message. */
function guarded<T>(env: Env, call: () => T): T {
  try {
    return call();
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new KeyringUnavailable(advice(brief(err), env));
  }
}

function advice(reason: string, env: Env): string {
  const keepInFile = 'or keep the keys in the AWS credentials file';
  if (platform() !== 'linux' && platform() !== 'freebsd') return `${reason}; ${keepInFile}`;
  if (/prompt was dismissed|IsLocked|is locked/i.test(reason)) {
    return `it is locked (${reason}); unlock it (log in to the desktop session, or start gnome-keyring-daemon with --unlock) and try again`;
  }
  if (/no result found/i.test(reason)) {
    return `the Secret Service has no default keyring to keep keys in (${reason}); create one (Seahorse, "Passwords and Keys"), or start gnome-keyring-daemon with --unlock, which makes it`;
  }
  const missing = env.DBUS_SESSION_BUS_ADDRESS
    ? `no Secret Service answers on the D-Bus session bus (${reason})`
    : 'there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service';
  return (
    `${missing}; install and start one (Debian/Ubuntu: apt install gnome-keyring dbus-user-session, then log in again; ` +
    `without a desktop: dbus-run-session with gnome-keyring-daemon --unlock, see the README), ${keepInFile}`
  );
}

/** The addon's message, on one line, bounded. */
function brief(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return escapeControls(message.replace(/\s*\n\s*/g, ' ')).slice(0, 300);
}

/**
 * Resolution's keystore (see resolvePlan's Keystore): opens the keyring on the first lookup only. When it cannot be
 * used, a profile whose keys were put there from this machine (`indexed`) gets that error; any other profile is
 * simply not there, and gets resolution's own "no keys" message.
 */
export function keyringLookup(
  env: Env,
  indexed: (account: string) => boolean,
): (account: string) => StoredKeys | undefined {
  let keyring: Keyring | undefined;
  let unavailable: KeyringUnavailable | undefined;
  return (account) => {
    try {
      if (unavailable) throw unavailable;
      keyring ??= openKeyring(env);
      return keyring.get(account);
    } catch (err) {
      if (!(err instanceof KeyringUnavailable)) throw err;
      unavailable = err;
      if (!indexed(account)) return undefined;
      throw err.while(`the keys of profile ${show(account)} are in the OS keyring, which cannot be used`);
    }
  };
}
