import type { Env } from '../profiles/configPaths';
import { rfc3339 } from '../text/rfc3339';
import { showName } from '../text/showText';
import { checkDecodable } from './undecodable';

/**
 * An environment change: variable name → new value, or `null` to remove it. One map drives every output format
 * (sh, fish, and later exec/json), so what "export" and "clear" mean is decided here only.
 */
export type EnvChange = Map<string, string | null>;

/**
 * Variables an export overwrites or removes. Their values from before the first export are kept in
 * `MFA_ENV_SAVED_<NAME>` (and the names that had a value in `MFA_ENV_SAVED`), so `--clear` returns the shell to how
 * it was, however many exports came in between.
 */
export const MANAGED_VARS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_SESSION_EXPIRATION',
  'AWS_PROFILE',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
] as const;
export type ManagedVar = (typeof MANAGED_VARS)[number];

/**
 * mfa-env's own bookkeeping of the loaded session, read by prompts, auto-renewal and `status`. The shells compute
 * nothing from the profile or the settings: the label is the name made safe to print (control characters escaped,
 * as in every message), and the renewal time already has MFA_ENV_MIN_TTL applied.
 */
export const SESSION_VARS = [
  'MFA_ENV_PROFILE',
  'MFA_ENV_PROFILE_LABEL',
  'MFA_ENV_EXPIRES_AT',
  'MFA_ENV_RENEW_AT',
  'MFA_ENV_ROLE_ARN',
  'MFA_ENV_DURATION',
] as const;

/**
 * The session length asked for with --duration, in seconds: a renewal of the loaded profile asks for it again
 * (see rememberedDuration), so `mfa-env` after `mfa-env prod -d 2h` gives 2 hours, not the default.
 */
export const DURATION_VAR = 'MFA_ENV_DURATION';

const SAVED_LIST = 'MFA_ENV_SAVED';
const savedName = (name: ManagedVar) => `MFA_ENV_SAVED_${name}`;

export interface SessionVars {
  profile: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  /** The profile's region; when absent, the region variables keep their original values. */
  region?: string;
  /** The role the credentials belong to, for prompts and `status`. */
  roleArn?: string;
  /** When the shell integration should renew the session (see renewTime). */
  renewAt?: number;
  /** The length asked for (--duration, or the loaded session's), kept for renewals; absent for the default. */
  durationSeconds?: number;
}

/**
 * Epoch seconds from which a session counts as expiring: the cache stops serving it then (MFA_ENV_MIN_TTL before
 * its end), so that is when the prompt says so and auto-renewal gets a new one.
 */
export function renewTime(expiration: Date, minTtlSeconds: number): number {
  return Math.floor(expiration.getTime() / 1000) - minTtlSeconds;
}

/** True when an export from mfa-env is in effect in this environment. */
export function hasSavedState(env: Env): boolean {
  return env[SAVED_LIST] !== undefined;
}

/** The value a managed variable had before mfa-env first touched it. */
export function originalValue(env: Env, name: ManagedVar): string | undefined {
  if (!hasSavedState(env)) return env[name];
  return savedNames(env).has(name) ? (env[savedName(name)] ?? '') : undefined;
}

/** The environment as it was before mfa-env's first export: what the user configured, not what we put there. */
export function originalEnv(env: Env): Env {
  if (!hasSavedState(env)) return env;
  const out: Record<string, string | undefined> = { ...env };
  for (const name of MANAGED_VARS) out[name] = originalValue(env, name);
  for (const name of SESSION_VARS) delete out[name];
  delete out[SAVED_LIST];
  for (const name of MANAGED_VARS) delete out[savedName(name)];
  return out;
}

/** The change that loads a session, undoing whatever an earlier export set that this one does not. */
export function exportChange(env: Env, session: SessionVars): EnvChange {
  checkDecodable(env, copiedNames(env));
  const change: EnvChange = new Map();
  if (!hasSavedState(env)) {
    const had = MANAGED_VARS.filter((name) => env[name] !== undefined);
    change.set(SAVED_LIST, had.join(' '));
    for (const name of had) change.set(savedName(name), env[name] as string);
  }
  const expiration = rfc3339(session.expiration);
  const values: Record<ManagedVar, string | null> = {
    AWS_ACCESS_KEY_ID: session.accessKeyId,
    AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
    AWS_SESSION_TOKEN: session.sessionToken,
    // Old SDKs read the legacy name first; a stale one would shadow the new token.
    AWS_SECURITY_TOKEN: null,
    AWS_CREDENTIAL_EXPIRATION: expiration,
    AWS_SESSION_EXPIRATION: expiration,
    // A profile next to static keys makes SDKs warn or pick the profile (granted #737).
    AWS_PROFILE: null,
    AWS_REGION: session.region ?? originalValue(env, 'AWS_REGION') ?? null,
    AWS_DEFAULT_REGION: session.region ?? originalValue(env, 'AWS_DEFAULT_REGION') ?? null,
  };
  for (const name of MANAGED_VARS) change.set(name, values[name]);
  change.set('MFA_ENV_PROFILE', session.profile);
  change.set('MFA_ENV_PROFILE_LABEL', showName(session.profile));
  change.set('MFA_ENV_EXPIRES_AT', String(Math.floor(session.expiration.getTime() / 1000)));
  change.set('MFA_ENV_RENEW_AT', session.renewAt === undefined ? null : String(session.renewAt));
  change.set('MFA_ENV_ROLE_ARN', session.roleArn ?? null);
  change.set(DURATION_VAR, session.durationSeconds === undefined ? null : String(session.durationSeconds));
  return change;
}

/**
 * What makes the AWS CLI and SDKs take credentials before a container credential endpoint: fixed keys, a profile,
 * another endpoint or token file, a web identity. exec --server removes them from its command's environment.
 */
export const ENDPOINT_SHADOWING_VARS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_SESSION_EXPIRATION',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  // Both win over the FULL_URI and token we set.
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
] as const;

export interface EndpointVars {
  /** `http://127.0.0.1:PORT/PATH` */
  url: string;
  /** The value of the Authorization header the endpoint wants. */
  token: string;
  /** The profile's region; when absent, the region variables keep their values. */
  region?: string;
  /** Give the command an empty credentials file: its default profile holds keys the SDKs would take first. */
  hideCredentialsFile?: boolean;
}

/**
 * The change that points a command at mfa-env's credential endpoint (exec --server), applied to the user's original
 * environment (see originalEnv): the two container variables the SDKs read, and nothing they would prefer to them.
 */
export function endpointChange(env: Env, vars: EndpointVars): EnvChange {
  const change: EnvChange = new Map();
  for (const name of ENDPOINT_SHADOWING_VARS) if (env[name] !== undefined) change.set(name, null);
  change.set('AWS_CONTAINER_CREDENTIALS_FULL_URI', vars.url);
  change.set('AWS_CONTAINER_AUTHORIZATION_TOKEN', vars.token);
  if (vars.region !== undefined) {
    change.set('AWS_REGION', vars.region);
    change.set('AWS_DEFAULT_REGION', vars.region);
  }
  if (vars.hideCredentialsFile) change.set('AWS_SHARED_CREDENTIALS_FILE', '/dev/null');
  return change;
}

/**
 * The change that undoes every export: managed variables get their original values back (or are removed), and
 * mfa-env's own variables go. With no export in effect nothing of the user's is touched.
 */
export function clearChange(env: Env): EnvChange {
  if (hasSavedState(env)) checkDecodable(env, copiedNames(env));
  const change: EnvChange = new Map();
  if (hasSavedState(env)) {
    for (const name of MANAGED_VARS) change.set(name, originalValue(env, name) ?? null);
    for (const name of MANAGED_VARS) if (env[savedName(name)] !== undefined) change.set(savedName(name), null);
    change.set(SAVED_LIST, null);
  }
  for (const name of SESSION_VARS) change.set(name, null);
  return change;
}

/** The variables whose values an export or clear copies into its output (to save them, or to give them back). */
function copiedNames(env: Env): string[] {
  return hasSavedState(env) ? MANAGED_VARS.map(savedName) : [...MANAGED_VARS];
}

function savedNames(env: Env): Set<string> {
  return new Set((env[SAVED_LIST] ?? '').split(' ').filter(Boolean));
}
