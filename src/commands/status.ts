import type { Env } from '../profiles/configFiles';
import { formatDuration } from '../profiles/duration';

export interface StatusReport {
  text: string;
  /** For --check: a session is loaded and has time left. */
  active: boolean;
}

/** `mfa-env status`: what this shell holds, read from mfa-env's own variables only. */
export function status(env: Env, nowMs = Date.now()): StatusReport {
  const lines: string[] = [];
  const profile = env.MFA_ENV_PROFILE;
  const expiresAt = Number(env.MFA_ENV_EXPIRES_AT);
  let active = false;
  if (!profile || !Number.isFinite(expiresAt)) {
    lines.push('No mfa-env session is loaded in this shell.');
  } else {
    const left = Math.floor(expiresAt - nowMs / 1000);
    active = left > 0;
    lines.push(`profile:  ${profile}`);
    if (env.MFA_ENV_ROLE_ARN) lines.push(`role:     ${env.MFA_ENV_ROLE_ARN}`);
    lines.push(`expires:  ${new Date(expiresAt * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')} (${active ? `${formatDuration(left - (left % 60))} left` : 'expired'})`);
  }
  const skipped = (env.MFA_ENV_SKIPPED_FUNCTIONS ?? '').split('\n').filter(Boolean);
  if (skipped.length) {
    lines.push('', 'Shell functions not defined, since their names were taken:');
    for (const line of skipped) lines.push(`  ${line}`);
  }
  return { text: `${lines.join('\n')}\n`, active };
}
