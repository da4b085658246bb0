// Node 20 has no module.enableCompileCache (22.1+, see compileCache.ts). Without it, every run that needs the full
// CLI compiles main.js and the SDK bundle again: 20 ms of a fresh session's time here. This does for mfa-env's own
// bundles what Node 22 does for every module: V8's code cache of each, kept in the same trusted compiled/
// directory, given back to V8 when the bundle is loaded again. V8 rejects a cache made by another V8 or with other
// flags; the file name holds the bundle's identity (inode, size, times), so a reinstalled bundle never meets an old
// cache; a rejected or missing cache is made anew when the process exits.
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { removeFile } from './files/removeFile';
import type { TrustedDir } from './files/trustedDir';
import { fileSignature } from './session/memoInputs';
import { nameHash } from './session/planMemo';

/** What of node:module this needs (Module.prototype._compile is what Node's own loader calls for a CJS file). */
interface ModuleInternals {
  wrap(content: string): string;
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
  _cache: Record<string, unknown>;
  prototype: {
    _compile(this: LoadedModule, content: string, filename: string): unknown;
  };
}

interface LoadedModule {
  exports: unknown;
  require(id: string): unknown;
}

/** Far above the caches of the bundles (the SDK's is about 0.5 MB). */
const MAX_CACHE_BYTES = 16 * 1024 * 1024;

/** What the entry point gives: this Node's version and architecture, and a way to run something at exit. */
export interface CodeCacheHost {
  runtime: string;
  atExit(save: () => void): void;
}

/** Loads the bundles in `bundles` (dist/) with their code caches from `compiled`. */
export function keepCodeCache(compiled: TrustedDir, bundles: string, host: CodeCacheHost): void {
  const vm = require('node:vm') as typeof import('node:vm');
  const Module = require('node:module') as unknown as ModuleInternals;
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (this: LoadedModule, content: string, filename: string) {
    // A script compiled here has no loader for `import()` (Node 20's for vm is experimental, and warns): a bundle
    // that has one is left to Node. The build turns the SDK's imports of node:http and the like into require().
    const ours = dirname(filename) === bundles && !content.includes('import(');
    const signature = ours ? fileSignature(filename) : undefined;
    if (typeof signature !== 'string') return compile.call(this, content, filename);
    const name = basename(filename, '.js');
    const file = join(compiled.dir, `${name}-${nameHash(`${signature}\0${host.runtime}`)}.v8`);
    const cachedData = compiled.readBytes(file, { quiet: true, maxBytes: MAX_CACHE_BYTES });
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    if (cachedData === undefined || script.cachedDataRejected) {
      // At exit, so the cache also holds the functions this run compiled lazily (the ones the next run needs).
      host.atExit(() => save(compiled, name, file, script.createCachedData()));
    }
    const moduleRequire = Object.assign((id: string) => this.require(id), {
      resolve: (request: string, options?: unknown) => Module._resolveFilename(request, this, false, options),
      cache: Module._cache,
      main: require.main,
    });
    const run = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return run.call(this.exports, this.exports, moduleRequire, this, filename, dirname(filename));
  };
}

/** Writes the cache, and removes the bundle's caches for earlier builds (they would never be used again). */
function save(compiled: TrustedDir, name: string, file: string, data: Buffer): void {
  try {
    if (compiled.writeText(file, data) !== undefined) return;
    for (const other of readdirSync(compiled.dir)) {
      const path = join(compiled.dir, other);
      if (path !== file && new RegExp(`^${name}-[0-9a-f]{16}\\.v8$`).test(other)) removeFile(path);
    }
  } catch {
    // Only ever a speed-up: the next run compiles as usual.
  }
}
