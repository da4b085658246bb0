import { isAbsolute, join } from 'node:path';
import { ConfigError } from '../errors';
import { type Env, homeDir } from '../profiles/configPaths';
import { parseDuration } from '../profiles/duration';
import { show } from '../text/showText';
import { SessionCache } from './cache';

export const DEFAULT_MIN_TTL_SECONDS = 300;

/** `${MFA_ENV_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/mfa-env}`. */
export function cacheDir(env: Env): string {
  if (env.MFA_ENV_CACHE_DIR) return env.MFA_ENV_CACHE_DIR;
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and ignored (it would put sessions wherever the shell is).
  const xdg = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : undefined;
  const base = xdg ?? join(homeDir(env), '.cache');
  return join(base, 'mfa-env');
}

/** `MFA_ENV_MIN_TTL`: a cached session with less time left than this is not served (default 5 minutes). */
export function minTtlSeconds(env: Env): number {
  const text = env.MFA_ENV_MIN_TTL;
  if (text === undefined || text === '') return DEFAULT_MIN_TTL_SECONDS;
  const seconds = parseDuration(text);
  if (seconds === undefined)
    throw new ConfigError(`MFA_ENV_MIN_TTL is ${show(text)}, not a duration; use seconds or a form like 5m`);
  return seconds;
}

/**
 * `MFA_ENV_LOCK_WAIT`: how long to wait for another mfa-env that is getting the same session (a code being typed in
 * another terminal) before going on alone; unset: until that run ends. The shell integration's auto-renewal uses 0.
 */
export function lockWaitMs(env: Env): number | undefined {
  const text = env.MFA_ENV_LOCK_WAIT;
  if (text === undefined || text === '') return undefined;
  const seconds = parseDuration(text);
  if (seconds === undefined)
    throw new ConfigError(`MFA_ENV_LOCK_WAIT is ${show(text)}, not a duration; use seconds or a form like 1m`);
  return seconds * 1000;
}

/** `MFA_ENV_NO_CACHE=1` keeps sessions off the disk for good, as `--no-cache` does for one call. */
export function cacheDisabled(env: Env): boolean {
  const value = (env.MFA_ENV_NO_CACHE ?? '').toLowerCase();
  return value !== '' && value !== '0' && value !== 'false' && value !== 'no';
}

/**
 * The session cache in the user's cache directory (`env`: the user's original environment), as every command opens
 * it; `minTtl`: what a served session must have left (0 for commands that only list or delete).
 */
export function sessionCache(
  env: Env,
  io: { uid: number; now(): number; warn?(message: string): void },
  minTtl = 0,
): SessionCache {
  return new SessionCache({
    dir: cacheDir(env),
    minTtlSeconds: minTtl,
    uid: io.uid,
    warn: io.warn ?? (() => undefined),
    now: io.now,
  });
}

/** The cache a command that gets sessions reads and writes: none with --no-cache (`enabled` false) or MFA_ENV_NO_CACHE. */
export function openCache(
  enabled: boolean | undefined,
  env: Env,
  io: { uid: number; now(): number; warn(message: string): void },
): SessionCache | undefined {
  if (enabled === false || cacheDisabled(env)) return undefined;
  return sessionCache(env, io, minTtlSeconds(env));
}
