// Arguments that used to pick another profile than the one meant, silently: an empty name, a name given twice, words
// after `--` outside exec. Each is a usage error (exit 2) that says what was wrong, before anything is read or asked.
import { type Fixture, startFixture } from '../support/fixture';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(() => f.stop());

const USAGE = 'Run "mfa-env --help" for usage.\n';
const EMPTY = `mfa-env: the profile name is empty; name the profile\n${USAGE}`;

it.each([
  [
    ['--', 'demo-user'],
    `mfa-env: "demo-user" after "--": only exec takes a command there (mfa-env exec PROFILE -- COMMAND)\n${USAGE}`,
  ],
  [
    ['demo-user', '--', 'x', 'y'],
    `mfa-env: "x" "y" after "--": only exec takes a command there (mfa-env exec PROFILE -- COMMAND)\n${USAGE}`,
  ],
  [
    ['--clear', '--', 'x'],
    `mfa-env: "x" after "--": only exec takes a command there (mfa-env exec PROFILE -- COMMAND)\n${USAGE}`,
  ],
  [
    ['list', '--', 'x'],
    `mfa-env: "x" after "--": only exec takes a command there (mfa-env exec PROFILE -- COMMAND)\n${USAGE}`,
  ],
  [[''], EMPTY],
  [['--profile='], EMPTY],
  [['-p', ''], EMPTY],
  [['forget', ''], EMPTY],
  [['exec', '', '--', 'true'], EMPTY],
  [['setup', ''], EMPTY],
  [['console', '', '--print'], EMPTY],
  [['rotate', '--profile='], EMPTY],
  [
    ['console', 'demo-user', '-p', 'prod'],
    `mfa-env: the profile is given 2 times ("prod", "demo-user"); give it once, as PROFILE or -p PROFILE\n${USAGE}`,
  ],
  [
    ['rotate', '--', 'x'],
    `mfa-env: "x" after "--": only exec takes a command there (mfa-env exec PROFILE -- COMMAND)\n${USAGE}`,
  ],
  [
    ['demo-user', '-p', 'prod'],
    `mfa-env: the profile is given 2 times ("prod", "demo-user"); give it once, as PROFILE or -p PROFILE\n${USAGE}`,
  ],
  [
    ['-p', 'a', '--profile', 'b'],
    `mfa-env: the profile is given 2 times ("a", "b"); give it once, as PROFILE or -p PROFILE\n${USAGE}`,
  ],
])('mfa-env %j: exit 2, nothing on stdout, nothing asked or called', async (args, stderr) => {
  // A loaded session and AWS_PROFILE: what an empty or ignored name used to fall back to.
  const env = { AWS_PROFILE: 'demo-user', MFA_ENV_PROFILE: 'demo-user' };
  const result = await f.run(args, { env });
  expect(result).toEqual({ status: 2, signal: null, stdout: '', stderr });
  expect(f.server.calls).toEqual([]);
});

it('`forget ""` deletes nothing (it used to delete every cached session)', async () => {
  expect((await f.run(['demo-user', '-t', f.code()])).status).toBe(0);
  expect((await f.run(['forget', ''])).status).toBe(2);
  expect((await f.run(['demo-user', '--no-input'])).status).toBe(0);
});
