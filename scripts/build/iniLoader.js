// Stands in for @smithy/shared-ini-file-loader in dist/main.js (see src/profiles/configFiles.ts): the package's
// index goes through @smithy/core's config index, which loads node:crypto, node:os and more that mfa-env's INI
// reading never uses; these two modules are the whole of what it imports, at no start-up cost beyond themselves.
export { externalDataInterceptor } from '../../node_modules/@smithy/core/dist-es/submodules/config/shared-ini-file-loader/externalDataInterceptor.js';
export { loadSharedConfigFiles } from '../../node_modules/@smithy/core/dist-es/submodules/config/shared-ini-file-loader/loadSharedConfigFiles.js';
