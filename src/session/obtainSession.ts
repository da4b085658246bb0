import { AwsRefusedError } from '../errors';
import type { ProcessHost } from '../processHost';
import { CHAINED_ROLE_MAX } from '../profiles/duration';
import type { Plan } from '../profiles/resolvePlan';
import { rfc3339 } from '../text/rfc3339';
import { type CachedSession, type CacheKey, credentialsOf, type SessionStore } from './cache';
import type { CodeSource } from './mfaCode';
import { mfaSessionKey, roleSessionKey } from './sessionKeys';
import { oneAtATime } from './sessionLock';
import { assumeRole, getSessionToken, type MfaProof, type TemporaryCredentials } from './sts';

export interface SessionOptions {
  codes: CodeSource;
  /** Absent with --no-cache: nothing is read or written (exec --server keeps one in memory instead). */
  cache?: SessionStore;
  /** --refresh: ignore what is cached and start over with a new code. */
  refresh?: boolean;
  /** MFA_ENV_LOCK_WAIT: the longest wait for another process making the same session (default: until its lock is stale). */
  lockWaitMs?: number;
  /** --timeout: the longest wait for one STS call, retries included. */
  timeoutMs?: number;
  /** Messages for the user (a retry that re-sends a code). */
  say?(message: string): void;
  /** --debug. */
  debug?(message: string): void;
  /** The clock (ms since the epoch): what is fresh, and when a session was made. */
  now(): number;
  /** This process and user, for the lock that makes shells started together ask for one code. */
  host: ProcessHost;
  uid: number;
}

export interface Session {
  credentials: TemporaryCredentials;
  roleArn?: string;
}

/**
 * Credentials for the plan, asking for as few MFA codes as possible. A user profile gets a GetSessionToken session.
 * A role reachable in 1 hour or less is assumed from that same MFA session, cached, so one code serves every role
 * with the same source until it ends; a longer role session cannot be chained (STS caps chained roles at 1 hour),
 * so it is assumed directly with a code.
 */
export async function obtainSession(plan: Plan, options: SessionOptions): Promise<Session> {
  const target = { region: plan.stsRegion, endpoint: plan.endpoint };
  const context = {
    profile: plan.profile,
    now: options.now,
    timeoutMs: options.timeoutMs,
    say: options.say,
    debug: options.debug,
  };
  const cached = (key: CacheKey) => {
    const hit = options.refresh ? undefined : options.cache?.fresh(key);
    options.debug?.(
      !options.cache
        ? 'cache off'
        : options.refresh
          ? 'cache skipped (--refresh)'
          : `${key.kind} session ${hit ? 'served from' : 'not in'} ${options.cache.fileFor(key)}`,
    );
    return hit;
  };
  const save = (key: CacheKey, credentials: TemporaryCredentials, roleArn?: string) =>
    options.cache?.put(key, entryFor(plan, key.kind, credentials, roleArn, new Date(options.now())));

  /**
   * After a cache miss, a session that takes a code is made (and stored) by one process at a time, so shells started
   * together ask once; the others take it from the cache. A run that will not use the cache has nothing to wait for.
   */
  type Made = { credentials: TemporaryCredentials; fromCache: boolean };
  const madeOnce = async (key: CacheKey, make: () => Promise<TemporaryCredentials>, reuse: boolean): Promise<Made> => {
    const cache = options.cache;
    const lockFile = reuse && !options.refresh ? cache?.lockFileFor(key) : undefined;
    if (!cache || !lockFile) return { credentials: await make(), fromCache: false };
    return oneAtATime<Made>(
      lockFile,
      () => {
        const hit = cache.fresh(key, { quiet: true });
        if (hit) options.debug?.(`${key.kind} session served from ${cache.fileFor(key)}, made by another mfa-env`);
        return hit && { credentials: credentialsOf(hit), fromCache: true };
      },
      async () => ({ credentials: await make(), fromCache: false }),
      {
        asking: !options.codes.asksNobody,
        maxWaitMs: options.lockWaitMs,
        say: options.say ?? (() => undefined),
        debug: options.debug,
        host: options.host,
        uid: options.uid,
      },
    );
  };

  /** A GetSessionToken session made with an MFA code, from the cache when one is fresh and `reuse` allows. */
  const mfaSession = async (reuse = true): Promise<Made> => {
    const key = mfaSessionKey(plan);
    const hit = reuse ? cached(key) : undefined;
    if (hit) return { credentials: credentialsOf(hit), fromCache: true };
    return madeOnce(
      key,
      async () => {
        const credentials = await withCode(plan, options.codes, (mfa) =>
          getSessionToken(target, plan.keys, plan.sessionDurationSeconds, mfa, context),
        );
        save(key, credentials);
        return credentials;
      },
      reuse,
    );
  };

  if (plan.roles.length === 0) return { credentials: (await mfaSession()).credentials };

  const key = roleSessionKey(plan);
  const lastRole = plan.roles[plan.roles.length - 1].roleArn;
  const hit = cached(key);
  if (hit) return { credentials: credentialsOf(hit), roleArn: lastRole };

  const [first, ...rest] = plan.roles;
  const chainFrom = async (credentials: TemporaryCredentials) => {
    for (const hop of rest) credentials = await assumeRole(target, credentials, hop, undefined, context);
    save(key, credentials, lastRole);
    return credentials;
  };
  if (!firstRoleFromMfaSession(plan)) {
    // Too long to chain from the MFA session: the role itself takes the code, so it is the role session that is made once.
    const made = await madeOnce(
      key,
      async () =>
        chainFrom(await withCode(plan, options.codes, (mfa) => assumeRole(target, plan.keys, first, mfa, context))),
      true,
    );
    return { credentials: made.credentials, roleArn: lastRole };
  }
  const source = await mfaSession();
  let credentials: TemporaryCredentials;
  try {
    credentials = await assumeRole(target, source.credentials, first, undefined, context);
  } catch (err) {
    // A cached MFA session AWS no longer takes (revoked, or the clock was wrong) is replaced once, with a new code.
    const stale =
      err instanceof AwsRefusedError && (err.code === 'ExpiredToken' || err.code === 'InvalidClientTokenId');
    if (!stale || !source.fromCache) throw err;
    credentials = await assumeRole(target, (await mfaSession(false)).credentials, first, undefined, context);
  }
  return { credentials: await chainFrom(credentials), roleArn: lastRole };
}

/**
 * Whether the plan's first role is assumed from the MFA session (role chaining, capped at 1 hour by STS), or, for a
 * longer session, directly with the long-term keys and a code of its own.
 */
export function firstRoleFromMfaSession(plan: Plan): boolean {
  return plan.roles[0].durationSeconds <= CHAINED_ROLE_MAX;
}

/** Runs an STS call that needs a code, asking again (where the source can) when AWS rejects the code. */
async function withCode<T>(plan: Plan, codes: CodeSource, call: (mfa: MfaProof) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const tokenCode = await codes.next({ profile: plan.profile, serial: plan.mfaSerial, retry: attempt > 1 });
    try {
      return await call({ serialNumber: plan.mfaSerial, tokenCode });
    } catch (err) {
      if (err instanceof AwsRefusedError && err.code === 'MfaRejected' && attempt < codes.attempts) continue;
      throw err;
    }
  }
}

/** The cache entry of a session made for the plan. */
export function entryFor(
  plan: Plan,
  kind: CachedSession['kind'],
  credentials: TemporaryCredentials,
  roleArn: string | undefined,
  now: Date,
): CachedSession {
  return {
    version: 1,
    kind,
    profile: kind === 'mfa' ? plan.keys.profile : plan.profile,
    sourceProfile: plan.keys.profile,
    mfaSerial: plan.mfaSerial,
    roleArn,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    expiration: rfc3339(credentials.expiration),
    createdAt: rfc3339(now),
  };
}
