// Preloaded with `node --require` by tests: on exit, writes every module the process loaded to the file in
// MFA_ENV_TEST_MODULES, so a test can prove a path never loaded the AWS SDK.
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  writeFileSync(process.env.MFA_ENV_TEST_MODULES, Object.keys(require.cache).join('\n'));
});
