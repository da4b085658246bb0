import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isTempFileOf } from '../files/atomicWrite';
import { removeFile } from '../files/removeFile';
import type { Env } from '../profiles/configPaths';
import type { Plan } from '../profiles/resolvePlan';
import { isSessionFileOf, type SessionCache } from './cache';
import { inputsUnchanged, type MemoInputs, memoInputs, type recordingEnv } from './memoInputs';
import { sessionKeyOf } from './sessionKeys';

/**
 * What a profile resolved to, kept next to the sessions so that the fast path (a cached session, on every shell
 * start and prompt renewal) needs neither the INI parser nor profile resolution: a 5,000-profile config costs as
 * little as a 5-profile one. It holds no secret: names, a region, a role ARN, a file name. It is used only while
 * its inputs are unchanged (memoInputs.ts).
 */
interface PlanMemo extends MemoInputs {
  version: 1;
  profile: string;
  /** The length asked for, when one was: a plan (and its session file) differs per length. */
  durationSeconds?: number;
  result: MemoResult;
}

export interface MemoResult {
  profile: string;
  region?: string;
  roleArn?: string;
  /** The session file a fresh session for this plan would be in. */
  sessionFile: string;
}

/** Keeps what `profile` resolved to, if everything it depended on was recorded. */
export function rememberPlan(
  cache: SessionCache,
  profile: string,
  files: Record<string, string | null | undefined>,
  recorded: ReturnType<typeof recordingEnv>,
  plan: Plan,
): void {
  const inputs = memoInputs(files, recorded);
  if (inputs === undefined) return;
  const memo: PlanMemo = {
    version: 1,
    profile,
    durationSeconds: plan.durationRequested,
    ...inputs,
    result: {
      profile: plan.profile,
      region: plan.region,
      roleArn: plan.roles.at(-1)?.roleArn,
      sessionFile: cache.fileFor(sessionKeyOf(plan)),
    },
  };
  writeMemo(cache, memoFile(cache, profile, plan.durationRequested), memo);
}

/**
 * Writes a memo (of a plan, of the listing) where memos live: apart from the sessions, in a directory made only
 * inside a cache directory mfa-env trusts. A failed write only means the next run takes the slow path.
 */
export function writeMemo(cache: SessionCache, file: string, memo: object): void {
  if (cache.files.subdir(PLANS) === undefined) return;
  cache.files.writeText(file, `${JSON.stringify(memo)}\n`);
}

/**
 * A memo as written (a plan's, the listing's), if it is there, trusted and JSON: shaped as `Memo` only by its
 * writer, so a reader checks what it uses. `maxBytes`: a listing is larger than the cache's usual bound.
 */
export function readMemo<Memo>(cache: SessionCache, file: string, maxBytes?: number): Memo | undefined {
  const text = cache.files.readText(file, { quiet: true, maxBytes });
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Memo;
  } catch {
    return undefined;
  }
}

/** Deletes every memo (with `forget`): they hold no secret, but forgetting everything should leave nothing. */
export function forgetPlans(cache: SessionCache): void {
  try {
    for (const name of readdirSync(plansDir(cache))) {
      const memo = /^([0-9a-f]{16}|listing)\.json/.exec(name)?.[0];
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
  const memo = readMemo<PlanMemo>(cache, memoFile(cache, profile, durationSeconds));
  if (memo?.version !== 1 || memo.profile !== profile) return undefined;
  if ((memo.durationSeconds ?? undefined) !== durationSeconds) return undefined;
  if (!inputsUnchanged(memo, env)) return undefined;
  const result = memo.result;
  // Only a session file of ours, in this cache directory.
  if (typeof result?.sessionFile !== 'string' || !isSessionFileOf(cache, result.sessionFile)) {
    return undefined;
  }
  return result;
}

const PLANS = 'plans';

/** The directory of the memos (plans/ in the cache directory). */
export function plansDir(cache: SessionCache): string {
  return join(cache.dir, PLANS);
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
export function nameHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}
