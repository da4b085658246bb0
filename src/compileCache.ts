// V8's compiled code for the bundles the slow path loads (main.js, the SDK bundles), kept between runs so that a run
// needing the full CLI or STS does not compile them again: by Node where it offers it (module.enableCompileCache,
// Node 22.1+), by codeCache.ts for mfa-env's own bundles on Node 20. Compiled code is run as found, so it lives only
// in a directory of the user's own that nobody else can write (a `compiled/` beside the session cache, checked the
// same way), never Node's default in the shared temp directory. MFA_ENV_NO_CACHE=1, which keeps mfa-env from
// writing a cache at all, turns it off too.
import { type CodeCacheHost, keepCodeCache } from './codeCache';
import { originalEnv } from './env/envChange';
import { TrustedDir } from './files/trustedDir';
import type { Env } from './profiles/configPaths';
import { cacheDir, cacheDisabled } from './session/cacheSettings';

/** The subdirectory of the cache directory that holds compiled code. */
export const COMPILED = 'compiled';

export function useCompileCache(env: Env, uid: number, host: CodeCacheHost): void {
  const enable = (require('node:module') as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  // Coverage runs need every function compiled afresh, instrumented: a code cache would hide what ran.
  if (typeof enable !== 'function' && env.NODE_V8_COVERAGE) return;
  try {
    const original = originalEnv(env);
    if (cacheDisabled(original)) return;
    // Quiet: a cache directory it cannot use is the session cache's to report, when a command uses it.
    // Only beside a session cache that is already there: a run that keeps nothing (--no-cache, a first `list`) makes
    // no cache directory for this alone.
    const cache = new TrustedDir({ dir: cacheDir(original), uid, warn: () => undefined });
    const dir = cache.usable(true) ? cache.subdir(COMPILED) : undefined;
    if (dir === undefined) return;
    if (typeof enable === 'function') enable(dir);
    else keepCodeCache(new TrustedDir({ dir, uid, warn: () => undefined }), __dirname, host);
  } catch {
    // Only ever a speed-up: without it, Node compiles as usual.
  }
}
