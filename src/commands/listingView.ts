// What `list` shows: the rows (worked out by listProfiles.ts, or remembered by listingMemo.ts) with the time left on
// their sessions, as a table for people or as JSON. Apart from the resolution, so the fast path can show a remembered
// listing without loading it.
import { basename, join } from 'node:path';
import { formatTimeLeft, secondsUntil } from '../profiles/duration';
import type { SessionCache } from '../session/cache';
import type { ListedProfile } from '../session/listingMemo';
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

/** The listing as shown: each row with the time left on its sessions at `now`. */
export function withTimesLeft(rows: ListedProfile[], cache: SessionCache | undefined, now: number): ProfileListing[] {
  const present = new Set([...(cache?.fileNames() ?? [])].map((file) => basename(file)));
  const left = (name?: string) => {
    // No session file at all (the common case for most of thousands of profiles): nothing to open.
    if (!cache || name === undefined || !present.has(name)) return undefined;
    const entry = cache.peekFile(join(cache.dir, name));
    // Counted as the prompt counts it, so both say the same at the same moment.
    return entry && Math.max(0, secondsUntil(Date.parse(entry.expiration) / 1000, now));
  };
  // Built field by field: the same keys in the same order whether the rows were worked out or remembered.
  return rows.map((r): ProfileListing => {
    if (r.kind === undefined) return { profile: r.profile, problem: r.problem };
    if (r.kind === 'process') return { profile: r.profile, kind: r.kind };
    const sessionSecondsLeft = left(r.sessionFile);
    return {
      profile: r.profile,
      kind: r.kind,
      source: r.source,
      mfaSerial: r.mfaSerial,
      roleArn: r.roleArn,
      sessionSecondsLeft,
      mfaSessionSecondsLeft: r.mfaSessionFile === undefined ? sessionSecondsLeft : left(r.mfaSessionFile),
    };
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

/** The output of `list`: the table, or with `json` the rows as JSON. */
export function renderListing(rows: ProfileListing[], json: boolean): string {
  return json ? `${JSON.stringify(rows, null, 2)}\n` : formatListing(rows);
}
