import { originalEnv } from '../env/envChange';
import { rememberedDuration } from '../profiles/chooseProfile';
import { type Env, loadConfigFiles } from '../profiles/configFiles';
import { formatTimeLeft, secondsUntil } from '../profiles/duration';
import { ProfileSet } from '../profiles/profileSet';
import { type Keystore, resolvePlan } from '../profiles/resolvePlan';
import type { SessionCache } from '../session/cache';
import { firstRoleFromMfaSession } from '../session/obtainSession';
import { mfaSessionKey } from '../session/sessionKeys';
import { rfc3339 } from '../text/rfc3339';
import { escapeControls, showName } from '../text/showText';

export interface StatusReport {
  text: string;
  /** For --check: a session is loaded and has time left. */
  active: boolean;
}

/**
 * `mfa-env status`: what this shell holds (from mfa-env's own variables), and whether the cached MFA session
 * could renew it without a code.
 */
export async function status(
  env: Env,
  cache: SessionCache | undefined,
  nowMs: number,
  keystore?: Keystore,
): Promise<StatusReport> {
  const lines: string[] = [];
  const profile = env.MFA_ENV_PROFILE;
  const expiresAt = Number(env.MFA_ENV_EXPIRES_AT);
  let active = false;
  // Beyond what a Date holds (1e20) is as unreadable as no number at all; toISOString would throw.
  if (!profile || Number.isNaN(new Date(expiresAt * 1000).getTime())) {
    lines.push('No mfa-env session is loaded in this shell.');
  } else {
    const left = secondsUntil(expiresAt, nowMs);
    active = left > 0;
    // Everything here comes from the environment, which anything may have set: shown printable.
    lines.push(`profile:  ${showName(profile)}`);
    if (env.MFA_ENV_ROLE_ARN) lines.push(`role:     ${showName(env.MFA_ENV_ROLE_ARN)}`);
    lines.push(
      `expires:  ${rfc3339(new Date(expiresAt * 1000))} (${active ? `${formatTimeLeft(left)} left` : 'expired'})`,
    );
    lines.push(`renewal:  ${await renewal(profile, env, cache, nowMs, keystore)}`);
  }
  const skipped = (env.MFA_ENV_SKIPPED_FUNCTIONS ?? '').split('\n').filter(Boolean);
  if (skipped.length) {
    lines.push('', 'Shell functions not defined, since their names were taken:');
    for (const line of skipped) lines.push(`  ${showName(line)}`);
  }
  return { text: `${lines.join('\n')}\n`, active };
}

async function renewal(
  profile: string,
  env: Env,
  cache: SessionCache | undefined,
  nowMs: number,
  keystore?: Keystore,
): Promise<string> {
  if (!cache) return 'needs an MFA code (the session cache is off)';
  try {
    const original = originalEnv(env);
    // The plan a renewal would make: with the loaded session's length.
    const plan = resolvePlan(new ProfileSet(await loadConfigFiles(original)), profile, original, {
      durationSeconds: rememberedDuration(profile, env),
      keystore,
      now: new Date(nowMs),
    });
    const mfa = cache.fresh(mfaSessionKey(plan));
    if (mfa && (plan.roles.length === 0 || firstRoleFromMfaSession(plan))) {
      return `\`mfa-env\` renews it without a code (the cached MFA session has ${formatTimeLeft(secondsUntil(Date.parse(mfa.expiration) / 1000, nowMs))} left)`;
    }
    return '`mfa-env` renews it with a new MFA code';
  } catch (err) {
    return `the profile cannot be resolved now (${escapeControls((err as Error).message)})`;
  }
}
