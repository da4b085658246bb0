// The one rendering of a session for whoever asked: the credential_process JSON, or the environment change (shell
// code or dotenv lines) with the renewal time the cache's MFA_ENV_MIN_TTL sets. The export command, exec and the
// fast path all go through here, so a cached session and a fresh one print the same bytes.
import type { Env } from '../profiles/configPaths';
import { type EnvChange, exportChange, renewTime, type SessionVars } from './envChange';
import { type Format, renderChange } from './formats';
import { renderCredentialProcess } from './formats/json';

/** A session and what the environment records of it (renewAt is derived here). */
export type LoadedSession = Omit<SessionVars, 'renewAt'>;

/** The environment change that loads the session: for every format, and for `exec`. */
export function sessionChange(env: Env, session: LoadedSession, minTtlSeconds: number): EnvChange {
  return exportChange(env, { ...session, renewAt: renewTime(session.expiration, minTtlSeconds) });
}

/** The session as `format` prints it. */
export function renderSession(format: Format, env: Env, session: LoadedSession, minTtlSeconds: number): string {
  if (format === 'json') return renderCredentialProcess(session);
  return renderChange(format, sessionChange(env, session, minTtlSeconds));
}
