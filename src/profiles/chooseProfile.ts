import { ConfigError, show } from '../errors';
import { DURATION_VAR } from '../env/envChange';
import { parseDuration } from './duration';
import type { Env } from './configPaths';

/**
 * The profile named on the command line; else the one whose session is loaded (so a bare `mfa-env` renews it);
 * else AWS_PROFILE as the user had it; else `default`.
 */
export function chooseProfile(given: string | undefined, env: Env, original: Env): string {
  return given || env.MFA_ENV_PROFILE || original.AWS_PROFILE || 'default';
}

/**
 * The length the loaded session was asked for (MFA_ENV_DURATION), in seconds, when `profile` is the loaded one:
 * renewing a session, with a bare `mfa-env`, the profile's function or auto-renewal, keeps its length unless -d is
 * given. Any other profile gets its own configured or default length.
 */
export function rememberedDuration(profile: string, env: Env): number | undefined {
  const text = profile === env.MFA_ENV_PROFILE ? env[DURATION_VAR] : undefined;
  if (text === undefined || text === '') return undefined;
  const seconds = parseDuration(text);
  if (seconds === undefined) throw new ConfigError(`${DURATION_VAR} is ${show(text)}, not a number of seconds; give -d DURATION, or load the session again`);
  return seconds;
}
