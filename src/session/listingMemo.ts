import { join } from 'node:path';
import type { Env } from '../profiles/configPaths';
import { isSessionFileName, type SessionCache } from './cache';
import { inputsUnchanged, type MemoInputs, memoInputs, type recordingEnv } from './memoInputs';
import { plansDir, readMemo, writeMemo } from './planMemo';

/**
 * What `list` worked out for one profile, before the clock is read: which session files would hold its sessions.
 * The times left are read from those files at every listing, so a memo of these rows is true for as long as the
 * AWS files and the variables they were worked out from are unchanged (memoInputs.ts).
 */
export interface ListedProfile {
  profile: string;
  kind?: 'user' | 'role' | 'process';
  source?: string;
  mfaSerial?: string;
  roleArn?: string;
  problem?: string;
  /** The name of the session file of the profile itself (the role session for a role), in the cache directory. */
  sessionFile?: string;
  /** The name of the session file of the MFA session behind a role (a user's is its sessionFile). */
  mfaSessionFile?: string;
}

interface ListingMemo extends MemoInputs {
  version: 1;
  rows: ListedProfile[];
}

/** Keeps the rows of a listing, if everything they depended on was recorded. */
export function rememberListing(
  cache: SessionCache,
  files: Record<string, string | null | undefined>,
  recorded: ReturnType<typeof recordingEnv>,
  rows: ListedProfile[],
): void {
  const inputs = memoInputs(files, recorded);
  if (inputs === undefined) return;
  writeMemo(cache, listingFile(cache), { version: 1, ...inputs, rows } satisfies ListingMemo);
}

/** The rows of the last listing, if everything they were worked out from is unchanged and the memo is well formed. */
export function recallListing(cache: SessionCache, env: Env): ListedProfile[] | undefined {
  const memo = readMemo<ListingMemo>(cache, listingFile(cache), MAX_LISTING_BYTES);
  if (memo?.version !== 1 || !Array.isArray(memo.rows) || !inputsUnchanged(memo, env)) return undefined;
  // A memo is trusted only as a whole; its rows are checked where they lie (thousands of copies cost GC time).
  return (memo.rows as unknown[]).every(isListedProfile) ? memo.rows : undefined;
}

/** A listing of the largest config mfa-env reads (16 MiB) stays well under this. */
const MAX_LISTING_BYTES = 64 * 1024 * 1024;

const KINDS = new Set(['user', 'role', 'process']);
const TEXT_FIELDS = new Set(['profile', 'source', 'mfaSerial', 'roleArn', 'problem']);
const FILE_FIELDS = new Set(['sessionFile', 'mfaSessionFile']);

/** A row as rememberListing wrote it: only its fields (they reach `list --json`), each of its type. */
function isListedProfile(row: unknown): row is ListedProfile {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return false;
  const r = row as Record<string, unknown>;
  if (typeof r.profile !== 'string') return false;
  for (const key in r) {
    const value = r[key];
    if (TEXT_FIELDS.has(key)) {
      if (typeof value !== 'string') return false;
    } else if (FILE_FIELDS.has(key)) {
      // Only a name fileFor() makes: never a path, never another file.
      if (typeof value !== 'string' || !isSessionFileName(value)) return false;
    } else if (key !== 'kind' || typeof value !== 'string' || !KINDS.has(value)) {
      return false;
    }
  }
  return true;
}

function listingFile(cache: SessionCache): string {
  return join(plansDir(cache), 'listing.json');
}
