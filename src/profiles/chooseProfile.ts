import type { Env } from './configPaths';

/**
 * The profile named on the command line; else the one whose session is loaded (so a bare `mfa-env` renews it);
 * else AWS_PROFILE as the user had it; else `default`.
 */
export function chooseProfile(given: string | undefined, env: Env, original: Env): string {
  return given || env.MFA_ENV_PROFILE || original.AWS_PROFILE || 'default';
}
