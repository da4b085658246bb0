import { userInfo } from 'node:os';

/**
 * `mfa-env-<user>-<epoch seconds>`: traceable in CloudTrail to a person and a moment, and within STS's rules for
 * RoleSessionName (2-64 characters of [\w+=,.@-]).
 */
export function defaultSessionName(userName: string | undefined, now: Date): string {
  userName ??= currentUser();
  const stamp = String(Math.floor(now.getTime() / 1000));
  const user = userName.replace(/[^\w+=,.@-]/g, '-').slice(0, 64 - 'mfa-env--'.length - stamp.length) || 'user';
  return `mfa-env-${user}-${stamp}`;
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'user';
  }
}
