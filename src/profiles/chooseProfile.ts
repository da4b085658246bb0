import { DURATION_VAR } from '../env/envChange';
import { ConfigError } from '../errors';
import { show } from '../text/showText';
import type { Env } from './configPaths';
import { parseDuration } from './duration';

/**
 * The profile named on the command line; else the one whose session is loaded (so a bare `mfa-env` renews it);
 * else AWS_PROFILE as the user had it; else `default`.
 */
export function chooseProfile(given: string | undefined, env: Env, original: Env): string {
  return profileChoice(given, env, original).name;
}

/** The same choice, and why it fell on that name when the user did not give one (said if it is not found). */
export function profileChoice(given: string | undefined, env: Env, original: Env): { name: string; why?: string } {
  if (given) return { name: given };
  if (env.MFA_ENV_PROFILE) return { name: env.MFA_ENV_PROFILE, why: 'the profile loaded in this shell' };
  if (original.AWS_PROFILE) return { name: original.AWS_PROFILE, why: 'from AWS_PROFILE' };
  return {
    name: 'default',
    why: 'used when no profile is named, none is loaded in this shell and AWS_PROFILE is not set; name one: mfa-env PROFILE',
  };
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
  if (seconds === undefined)
    throw new ConfigError(
      `${DURATION_VAR} is ${show(text)}, not a number of seconds; give -d DURATION, or load the session again`,
    );
  return seconds;
}
