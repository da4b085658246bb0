import { existsSync, readdirSync } from 'node:fs';
import { COMPILED } from '../../src/compileCache';

/**
 * What a cache directory holds besides sessions, locks and their temp files: the fast path's plan memos (plans/) and,
 * on Node 22 and later, V8's compiled code for the bundles (see src/compileCache.ts). Neither holds a secret.
 */
export const NOT_SESSIONS: readonly string[] = ['plans', COMPILED];

/** The names in a cache directory that belong to sessions (entries, locks, temp files), sorted; none if it is not there. */
export function sessionCacheNames(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => !NOT_SESSIONS.includes(name))
        .sort()
    : [];
}
