// Jest's transform for `npm run coverage` only: TypeScript compiled by esbuild, as the build compiles it, so that the
// in-process coverage maps back to the same places in src/ as the coverage of the bundles does (ts-jest's output
// does not: most of its branches land a few columns off, and merging would count each of those twice).
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { transformSync, version } = require('esbuild');

const self = readFileSync(__filename);

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: 'ts',
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      // import() to require(), as ts-jest compiles it: Jest runs CommonJS outside --experimental-vm-modules.
      supported: { 'dynamic-import': false },
      sourcemap: 'external',
      sourcefile: filename,
      sourcesContent: false,
    });
    return { code, map };
  },
  // Jest's cache of transformed files must change with this file and esbuild, not only with the source.
  getCacheKey(source, filename) {
    return createHash('sha256').update(self).update(version).update(filename).update(source).digest('hex');
  },
};
