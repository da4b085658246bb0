import { originalEnv } from '../env/envChange';
import { MfaEnvError } from '../errors';
import { type Env, loadConfigFiles } from '../profiles/configFiles';
import { formatTimeLeft, secondsUntil } from '../profiles/duration';
import { ProfileSet } from '../profiles/profileSet';
import { type Keystore, type Plan, resolvePlan, usesCredentialProcess } from '../profiles/resolvePlan';
import type { SessionCache } from '../session/cache';
import { mfaSessionKey, roleSessionKey } from '../session/sessionKeys';
import { formatColumns } from '../text/columns';
import { escapeControls, showName } from '../text/showText';

export interface ProfileListing {
  profile: string;
  /**
   * `user`: GetSessionToken with the profile's keys; `role`: AssumeRole; `process`: credentials from its
   * credential_process, for other tools; absent when mfa-env cannot serve it.
   */
  kind?: 'user' | 'role' | 'process';
  source?: string;
  mfaSerial?: string;
  roleArn?: string;
  /** Seconds left on the cached session for this profile (the role session for a role). */
  sessionSecondsLeft?: number;
  /** Seconds left on the cached MFA session behind it: while positive, no code is needed. */
  mfaSessionSecondsLeft?: number;
  /** Why mfa-env cannot serve it. */
  problem?: string;
}

/** Every profile of both files, with what it needs and what is cached for it. One read of each file. */
export async function listProfiles(
  env: Env,
  cache: SessionCache | undefined,
  keystore?: Keystore,
): Promise<ProfileListing[]> {
  const original = originalEnv(env);
  const profiles = new ProfileSet(await loadConfigFiles(original));
  const present = cache?.fileNames() ?? new Set<string>();
  const left = (key: Parameters<SessionCache['fileFor']>[0]) => {
    // No session file at all (the common case for most of thousands of profiles): no name to work out.
    if (!cache || present.size === 0 || !present.has(cache.fileFor(key))) return undefined;
    const entry = cache.peek(key);
    // Counted as the prompt counts it, so both say the same at the same moment.
    return entry && Math.max(0, secondsUntil(Date.parse(entry.expiration) / 1000, now));
  };
  const now = Date.now();
  // Session names do not matter for a listing; a fixed user spares a system call per role.
  const options = { userName: 'list', now: new Date(now), keystore };
  return profiles
    .names()
    .filter((name) => !name.endsWith('-long-term') || !profiles.has(name.slice(0, -'-long-term'.length)))
    .map((name) => {
      const own = profiles.get(name);
      if (own && usesCredentialProcess(own)) return { profile: name, kind: 'process' } satisfies ProfileListing;
      let plan: Plan;
      try {
        plan = resolvePlan(profiles, name, original, options);
      } catch (err) {
        if (!(err instanceof MfaEnvError)) throw err;
        return { profile: name, problem: err.message };
      }
      const role = plan.roles.at(-1);
      return {
        profile: name,
        kind: role ? 'role' : 'user',
        source: plan.keys.profile,
        mfaSerial: plan.mfaSerial,
        roleArn: role?.roleArn,
        sessionSecondsLeft: left(role ? roleSessionKey(plan) : mfaSessionKey(plan)),
        mfaSessionSecondsLeft: left(mfaSessionKey(plan)),
      } satisfies ProfileListing;
    });
}

/** A table for people: one line per profile. Names and values from the files are shown printable (JSON needs no help). */
export function formatListing(rows: ProfileListing[]): string {
  const time = (s?: number) => (s === undefined ? '' : s <= 0 ? 'expired' : `${formatTimeLeft(s)} left`);
  const table = [['PROFILE', 'KIND', 'SOURCE', 'MFA DEVICE', 'CACHED SESSION']];
  for (const r of rows) {
    if (!r.kind) {
      table.push([showName(r.profile), '-', '', '', `not served: ${escapeControls(r.problem ?? '')}`]);
      continue;
    }
    if (r.kind === 'process') {
      table.push([showName(r.profile), r.kind, '', '', 'credential_process, run by the AWS CLI and SDKs']);
      continue;
    }
    const cached =
      r.kind === 'role' && r.sessionSecondsLeft === undefined && r.mfaSessionSecondsLeft
        ? `MFA session ${time(r.mfaSessionSecondsLeft)}`
        : time(r.sessionSecondsLeft);
    // The profile whose keys are used, as in --json: for a user profile, itself (or its aws-mfa NAME-long-term).
    table.push([showName(r.profile), r.kind, showName(r.source ?? ''), showName(r.mfaSerial ?? ''), cached]);
  }
  return formatColumns(table);
}
