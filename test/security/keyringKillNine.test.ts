// Moving keys between the credentials file and the OS keyring (a real Secret Service: gnome-keyring on a private
// bus) killed with SIGKILL at random moments: the keys are always in the file, in the keyring, or in both, never in
// neither; the file is always either as it was or exactly without (or with) the two key lines. The kill points come
// from a seeded generator: the seed is printed, and MFA_ENV_TEST_SEED=N replays a run.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_USER, type Fixture, startFixture } from '../support/fixture';
import { CLI } from '../support/runCli';
import { type SecretService, startSecretService } from '../support/secretService';
import { replayWith, seededRandom, testSeed } from '../support/seed';

const IMPORT_KILLS = 100;
const EXPORT_KILLS = 50;
const SEED = testSeed();

const KEY_LINES = `aws_access_key_id = ${DEMO_USER.accessKeyId}\naws_secret_access_key = ${DEMO_USER.secretAccessKey}\n`;
const WITH_KEYS = [
  '# hand-written, with a comment',
  ...Array.from(
    { length: 20 },
    (_, i) => `[p${i}]\naws_access_key_id = AKIA${String(i).padStart(16, '0')}\naws_secret_access_key = secret${i}\n`,
  ),
  `[demo-user]\n${KEY_LINES}output = json\n`,
  '; the end',
  '',
].join('\n');
const WITHOUT_KEYS = WITH_KEYS.replace(KEY_LINES, '');
const STORED = JSON.stringify({
  version: 1,
  accessKeyId: DEMO_USER.accessKeyId,
  secretAccessKey: DEMO_USER.secretAccessKey,
});

let f: Fixture;
let ss: SecretService;
/** Each test draws from a generator of its own, so one test run alone (jest -t) gets the same numbers as in the file. */
let random: () => number;
beforeEach(() => {
  random = seededRandom(SEED);
});

beforeAll(async () => {
  console.log(`keyringKillNine: ${replayWith(SEED)}`);
  f = await startFixture();
  ss = await startSecretService();
});
afterAll(async () => {
  await ss.stop();
  await f.stop();
});

interface Outcome {
  ms: number;
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function run(args: string[], killAfterMs?: number): Promise<Outcome> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...f.home.env, ...ss.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ ms: Date.now() - started, status, signal, stderr });
    });
  });
}

/** The credentials file replaced in one step, as a user's editor might: never half written for the run that follows. */
function setCredentials(text: string): void {
  const temp = `${f.home.credentialsPath}.test`;
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, f.home.credentialsPath);
}

type Where = 'file' | 'keyring' | 'both';

/** Where the keys are now; fails the test if they are nowhere, or if either place holds anything but these keys. */
function whereKeysAre(fileWithKeys: string, fileWithout: string): Where {
  const text = readFileSync(f.home.credentialsPath, 'utf8');
  expect([fileWithKeys, fileWithout]).toContain(text);
  expect(statSync(f.home.credentialsPath).mode & 0o777).toBe(0o600);
  const stored = ss.get('demo-user');
  expect([STORED, null]).toContain(stored);
  const inFile = text === fileWithKeys;
  expect(inFile || stored !== null).toBe(true);
  for (const name of readdirSync(join(f.home.home, '.aws'))) {
    if (!/^credentials\.[0-9a-f]{12}\.tmp$/.test(name)) expect(['config', 'credentials']).toContain(name);
  }
  return inFile && stored ? 'both' : inFile ? 'file' : 'keyring';
}

/** How long an uninterrupted run takes now: the range kill delays are drawn from. */
async function span(args: string[], prepare: () => void): Promise<number> {
  prepare();
  const outcome = await run(args);
  expect(outcome.stderr).toMatch(/^mfa-env: moved the keys/);
  expect(outcome.status).toBe(0);
  return outcome.ms;
}

async function killMany(
  args: string[],
  kills: number,
  prepare: () => void,
  check: () => Where,
): Promise<Record<string, number>> {
  const seen: Record<string, number> = { file: 0, keyring: 0, both: 0, finished: 0 };
  let range = 0;
  for (let i = 0; i < kills; i++) {
    if (i % 25 === 0) range = await span(args, prepare);
    prepare();
    const outcome = await run(args, random() * range);
    if (outcome.signal !== 'SIGKILL') {
      expect({ status: outcome.status, stderr: outcome.stderr }).toEqual({
        status: 0,
        stderr: expect.stringMatching(/^mfa-env: moved the keys/),
      });
      seen.finished++;
    }
    seen[check()]++;
  }
  return seen;
}

it(`keys import killed ${IMPORT_KILLS} times: the keys are never in neither place, and a later import finishes the move (${replayWith(SEED)})`, async () => {
  // From the file, into a keyring that is empty or (as a stopped run leaves it) holds them already.
  const prepare = () => {
    setCredentials(WITH_KEYS);
    if (random() < 0.5) ss.remove('demo-user');
  };
  const seen = await killMany(['keys', 'import', 'demo-user'], IMPORT_KILLS, prepare, () =>
    whereKeysAre(WITH_KEYS, WITHOUT_KEYS),
  );
  console.log(`keyringKillNine import (seed ${SEED}): ${JSON.stringify(seen)}`);
  // Meaningful only if kills landed before, inside and after the move.
  expect(seen.file + seen.both).toBeGreaterThan(0);
  expect(seen.keyring).toBeGreaterThan(0);

  // Whatever the last kill left, one more import ends with the keys in the keyring alone, and no copy of the file
  // that holds them (a temp file of a killed write) stays behind.
  if (readFileSync(f.home.credentialsPath, 'utf8') === WITH_KEYS) {
    const finished = await run(['keys', 'import', 'demo-user']);
    expect(finished.status).toBe(0);
  }
  expect(whereKeysAre(WITH_KEYS, WITHOUT_KEYS)).toBe('keyring');
  setCredentials(WITH_KEYS);
  expect((await run(['keys', 'import', 'demo-user'])).status).toBe(0);
  const aws = join(f.home.home, '.aws');
  expect(
    readdirSync(aws).filter((name) => readFileSync(join(aws, name), 'utf8').includes(DEMO_USER.secretAccessKey)),
  ).toEqual([]);
}, 400000);

it(`keys export killed ${EXPORT_KILLS} times: the keys are never in neither place (${replayWith(SEED)})`, async () => {
  // What an export writes: the keys after the section's last key line.
  const exported = WITHOUT_KEYS.replace('[demo-user]\noutput = json\n', `[demo-user]\noutput = json\n${KEY_LINES}`);
  const prepare = () => {
    setCredentials(WITHOUT_KEYS);
    ss.set('demo-user', STORED);
  };
  const seen = await killMany(['keys', 'export', 'demo-user'], EXPORT_KILLS, prepare, () =>
    whereKeysAre(exported, WITHOUT_KEYS),
  );
  console.log(`keyringKillNine export (seed ${SEED}): ${JSON.stringify(seen)}`);
  expect(seen.keyring).toBeGreaterThan(0);
  expect(seen.file).toBeGreaterThan(0);
}, 400000);
