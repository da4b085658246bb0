import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isTempFileOf } from '../files/atomicWrite';
import { removeFile } from '../files/removeFile';
import type { Env } from '../profiles/configPaths';
import type { Plan } from '../profiles/resolvePlan';
import { isSessionFileOf, type SessionCache } from './cache';
import { sessionKeyOf } from './sessionKeys';

/**
 * What a profile resolved to, kept next to the sessions so that the fast path (a cached session, on every shell
 * start and prompt renewal) needs neither the INI parser nor profile resolution: a 5,000-profile config costs as
 * little as a 5-profile one. It holds no secret: names, a region, a role ARN, a file name.
 *
 * A memo is used only while everything resolution read is unchanged: each file's identity, size and times, and
 * every environment variable, recorded as it was read (so no list of "relevant variables" can go stale).
 */
interface PlanMemo {
  version: 1;
  profile: string;
  /** The length asked for, when one was: a plan (and its session file) differs per length. */
  durationSeconds?: number;
  /** Path → stat signature, or null for a file that did not exist. */
  files: Record<string, string | null>;
  /**
   * Variable → value, or null for unset: every variable resolution read. A value with a password in it (an endpoint
   * `https://user:password@host`) is kept as its SHA-256: it only needs comparing.
   */
  env: Record<string, string | null | { sha256: string }>;
  result: MemoResult;
}

export interface MemoResult {
  profile: string;
  region?: string;
  roleArn?: string;
  /** The session file a fresh session for this plan would be in. */
  sessionFile: string;
}

/** An environment that notes every variable read from it; `enumerated` when something listed them all. */
export function recordingEnv(env: Env): {
  env: Env;
  reads: Map<string, string | undefined>;
  enumerated: () => boolean;
} {
  const reads = new Map<string, string | undefined>();
  let enumerated = false;
  const proxy = new Proxy(env as Record<string, string | undefined>, {
    get(target, name) {
      if (typeof name === 'string') reads.set(name, target[name]);
      return target[name as string];
    },
    has(target, name) {
      if (typeof name === 'string') reads.set(name, target[name]);
      return name in target;
    },
    ownKeys(target) {
      enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
  return { env: proxy, reads, enumerated: () => enumerated };
}

/** Identity, size and times of a regular file; null when there is none; undefined when it cannot be told. */
export function fileSignature(path: string): string | null | undefined {
  try {
    const stat = statSync(path, { bigint: true, throwIfNoEntry: false });
    if (!stat) return null;
    if (!stat.isFile()) return undefined;
    return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
  } catch {
    return undefined;
  }
}

// Credentials are never written down here, not even as something a plan depended on.
const NEVER_RECORDED = new Set([
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
]);

/** Keeps what `profile` resolved to, if everything it depended on was recorded. */
export function rememberPlan(
  cache: SessionCache,
  profile: string,
  files: Record<string, string | null | undefined>,
  recorded: ReturnType<typeof recordingEnv>,
  plan: Plan,
): void {
  if (recorded.enumerated() || Object.values(files).some((s) => s === undefined)) return;
  if ([...recorded.reads.keys()].some((name) => NEVER_RECORDED.has(name))) return;
  const memo: PlanMemo = {
    version: 1,
    profile,
    durationSeconds: plan.durationRequested,
    files: files as Record<string, string | null>,
    env: Object.fromEntries(
      [...recorded.reads].map(([name, value]) => [
        name,
        value === undefined ? null : holdsSecret(value) ? { sha256: sha256(value) } : value,
      ]),
    ),
    result: {
      profile: plan.profile,
      region: plan.region,
      roleArn: plan.roles.at(-1)?.roleArn,
      sessionFile: cache.fileFor(sessionKeyOf(plan)),
    },
  };
  // The memos live apart from the sessions, in a directory made only inside a cache directory mfa-env trusts. A
  // failed write only means the next run takes the slow path.
  if (cache.files.subdir(PLANS) === undefined) return;
  cache.files.writeText(memoFile(cache, profile, plan.durationRequested), `${JSON.stringify(memo)}\n`);
}

/** Deletes every memo (with `forget`): they hold no secret, but forgetting everything should leave nothing. */
export function forgetPlans(cache: SessionCache): void {
  try {
    for (const name of readdirSync(plansDir(cache))) {
      const memo = /^[0-9a-f]{16}\.json/.exec(name)?.[0];
      if (memo !== undefined && (memo === name || isTempFileOf(memo, name, { pidForm: true })))
        removeFile(join(plansDir(cache), name));
    }
  } catch {
    // nothing there, or nothing we may touch
  }
}

/** What `profile` (asked with that length) resolves to, from a memo whose every input is unchanged; undefined otherwise. */
export function recallPlan(
  cache: SessionCache,
  profile: string,
  durationSeconds: number | undefined,
  env: Env,
): MemoResult | undefined {
  const text = cache.files.readText(memoFile(cache, profile, durationSeconds), { quiet: true });
  if (text === undefined) return undefined;
  let memo: PlanMemo;
  try {
    memo = JSON.parse(text) as PlanMemo;
  } catch {
    return undefined;
  }
  if (memo?.version !== 1 || memo.profile !== profile || typeof memo.env !== 'object' || typeof memo.files !== 'object')
    return undefined;
  if ((memo.durationSeconds ?? undefined) !== durationSeconds) return undefined;
  for (const [name, value] of Object.entries(memo.env)) {
    const now = env[name] ?? null;
    if (value !== null && typeof value === 'object' ? now === null || sha256(now) !== value.sha256 : now !== value)
      return undefined;
  }
  for (const [path, signature] of Object.entries(memo.files)) if (fileSignature(path) !== signature) return undefined;
  const result = memo.result;
  // Only a session file of ours, in this cache directory.
  if (typeof result?.sessionFile !== 'string' || !isSessionFileOf(cache, result.sessionFile)) {
    return undefined;
  }
  return result;
}

const PLANS = 'plans';

function plansDir(cache: SessionCache): string {
  return join(cache.dir, PLANS);
}

/** A URL with a `user:password@` part. */
function holdsSecret(value: string): boolean {
  return /^[a-z][\w+.-]*:\/\/[^/?#]*@/i.test(value);
}

// node:crypto costs the fast path milliseconds to load: only a memo that holds such a digest pays for it.
function sha256(value: string): string {
  return (require('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(value).digest('hex');
}

function memoFile(cache: SessionCache, profile: string, durationSeconds: number | undefined): string {
  return join(
    plansDir(cache),
    `${nameHash(durationSeconds === undefined ? profile : `${profile}\0${durationSeconds}`)}.json`,
  );
}

/**
 * A file name for any profile name (which may hold anything). Not crypto: a collision only makes two profiles
 * share a memo slot, and the memo names its profile; `node:crypto` would cost the fast path its load time.
 */
function nameHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}
