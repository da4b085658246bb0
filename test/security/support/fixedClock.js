// Preloaded into the CLI with NODE_OPTIONS="--require .../fixedClock.js": when MFA_ENV_TEST_NOW_MS is set, Date.now()
// returns exactly that instant (epoch ms), so a test can put a cached session's expiry at an exact distance from
// "now" and check the boundary without racing the real clock. `new Date()` and timers are left alone.

const fixed = Number(process.env.MFA_ENV_TEST_NOW_MS);
if (process.env.MFA_ENV_TEST_NOW_MS && Number.isFinite(fixed)) Date.now = () => fixed;
