// Atomic writes: mfa-env killed with SIGKILL at any moment never leaves a half-written cache entry or credentials
// file behind. Each run is killed after a random delay between 0 and the time a run takes, a few at a time; after
// every batch every file must be absent or complete, and a later run must still work (and serve from the cache).
// The delays come from a seeded generator: the seed is in the test names, and MFA_ENV_TEST_SEED=N replays a run.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_USER, type Fixture, startFixture } from '../support/fixture';
import { CLI } from '../support/runCli';
import { replayWith, seededRandom, testSeed } from '../support/seed';
import { evalInShell } from '../support/shells';
import type { IssuedCredentials } from '../support/sts-server';
import { cacheEntryProblems, listDir } from './support/harness';

const KILLS = 200;
const BATCH = 4;
const SEED = testSeed();

let f: Fixture;
beforeAll(async () => {
  console.log(`killNine: ${replayWith(SEED)}`);
  f = await startFixture();
});
afterAll(() => f.stop());

interface Outcome {
  ms: number;
  status: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs mfa-env and, when `killAfterMs` is given, kills it with SIGKILL that long after it started. */
function run(args: string[], killAfterMs?: number): Promise<Outcome> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { env: f.home.env, stdio: ['ignore', 'ignore', 'ignore'] });
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ ms: Date.now() - started, status, signal });
    });
  });
}

/** How long one run takes when BATCH of them run at once: the range the kill delays are drawn from. */
async function calibrate(args: () => string[]): Promise<number> {
  const times: number[] = [];
  times.push(...(await Promise.all(Array.from({ length: BATCH }, () => run(args())))).map((o) => o.ms));
  return Math.max(...times);
}

/**
 * KILLS runs in batches of BATCH, each killed after a random delay in [0, span), where span is how long a run takes
 * now (measured again every 10 batches, as the machine's load changes); `check` runs after every batch.
 */
async function killMany(
  args: () => string[],
  check: () => void,
): Promise<{ killed: number; finished: number; spans: number[] }> {
  // Each test draws from its own generator, so one test run alone (jest -t) gets the same delays as in the file.
  const random = seededRandom(SEED);
  const spans: number[] = [];
  let killed = 0;
  let finished = 0;
  for (let done = 0; done < KILLS; done += BATCH) {
    if (done % (10 * BATCH) === 0) spans.push(await calibrate(args));
    const span = spans.at(-1)!;
    const outcomes = await Promise.all(Array.from({ length: BATCH }, () => run(args(), random() * span)));
    for (const o of outcomes) {
      if (o.signal === 'SIGKILL') killed++;
      else if (o.status === 0) finished++;
      else throw new Error(`a run that was not killed failed with ${o.status}`);
    }
    check();
  }
  return { killed, finished, spans };
}

const cacheDir = () => f.home.env.MFA_ENV_CACHE_DIR;

describe('SIGKILL during `mfa-env demo-user -t CODE --refresh`', () => {
  const tmpSeen = new Set<string>();

  it(`${KILLS} kills leave only complete cache entries, and a later run is served from the cache (${replayWith(SEED)})`, async () => {
    const first = await run(['demo-user', '-t', f.code()]);
    expect(first.status).toBe(0);
    const [entryName] = listDir(cacheDir());
    expect(entryName).toMatch(/^mfa-[0-9a-f]{32}\.json$/);

    const stats = await killMany(
      () => ['demo-user', '-t', f.code(), '--refresh'],
      () => {
        for (const name of listDir(cacheDir())) {
          if (name.endsWith('.tmp')) {
            tmpSeen.add(name);
            expect(name).toMatch(/^mfa-[0-9a-f]{32}\.json\.[0-9a-f]{12}\.tmp$/);
            continue;
          }
          expect(name).toBe(entryName);
          expect(cacheEntryProblems(join(cacheDir(), name))).toEqual([]);
          expect(statSync(join(cacheDir(), name)).mode & 0o777).toBe(0o600);
        }
        // The entry is never missing: the rename replaces it in one step.
        expect(existsSync(join(cacheDir(), entryName))).toBe(true);
      },
    );
    // The test means something only if many runs really were killed midway, and many got as far as STS.
    expect(stats.killed).toBeGreaterThan(KILLS / 4);
    expect(f.server.issued.length).toBeGreaterThan(10);
    console.log(
      `killNine cache: ${stats.killed} killed, ${stats.finished} finished first (kill delays 0-${stats.spans.join('/')} ms), ` +
        `${f.server.issued.length} sessions issued, ${tmpSeen.size} temp files left behind; ${replayWith(SEED)}`,
    );

    // The entry is one STS really issued, whole; a later run with no way to get a code is served from it.
    const entry = JSON.parse(readFileSync(join(cacheDir(), entryName), 'utf8')) as {
      accessKeyId: string;
      secretAccessKey: string;
      sessionToken: string;
    };
    const issued = f.server.issuedFor(entry.accessKeyId);
    expect(issued).toBeDefined();
    expect(entry).toMatchObject({ secretAccessKey: issued!.secretAccessKey, sessionToken: issued!.sessionToken });
    f.server.resetCalls();
    const later = await f.run(['demo-user'], { stdin: 'closed' });
    expect(later.stderr).toBe('');
    expect(later.status).toBe(0);
    expect(f.server.calls).toEqual([]);
    expect(evalInShell('sh', later.stdout, f.home.env).AWS_SESSION_TOKEN).toBe(issued!.sessionToken);
  }, 240000); // hundreds of runs, killed or not: minutes on a machine busy with other tests

  it('a temp file left by a killed write is never read as a session, and `forget` deletes it', async () => {
    // As a kill between the temp file's creation and its rename leaves one (whether or not the run above did).
    const [entryName] = listDir(cacheDir()).filter((n) => n.endsWith('.json'));
    const leftover = join(cacheDir(), `${entryName}.12345.0123456789ab.tmp`);
    const planted = {
      ...JSON.parse(readFileSync(join(cacheDir(), entryName), 'utf8')),
      sessionToken: 'LEFTOVER-TOKEN-0000',
      secretAccessKey: 'LEFTOVER-SECRET-0000',
    };
    writeFileSync(leftover, JSON.stringify(planted), { mode: 0o600 });
    const served = await f.run(['demo-user'], { stdin: 'closed' });
    expect(served.status).toBe(0);
    expect(served.stdout).not.toContain('LEFTOVER');

    const forgotten = await f.run(['forget']);
    expect(forgotten.status).toBe(0);
    // A temp file is a complete copy of a session: forgetting every session must take it too.
    expect(
      listDir(cacheDir()).filter((name) => readFileSync(join(cacheDir(), name), 'utf8').includes('sessionToken')),
    ).toEqual([]);
  });
});

describe('SIGKILL during `mfa-env demo-user -t CODE --refresh --write-profile demo-session`', () => {
  const base = [
    '# hand-written, with a comment',
    '[demo-user]',
    `aws_access_key_id = ${DEMO_USER.accessKeyId}`,
    `aws_secret_access_key = ${DEMO_USER.secretAccessKey}`,
    '',
    ...Array.from(
      { length: 30 },
      (_, i) => `[p${i}]\naws_access_key_id = AKIA${String(i).padStart(16, '0')}\naws_secret_access_key = s${i}\n`,
    ),
    '; the end',
    '',
  ].join('\n');
  const section = (i: IssuedCredentials) =>
    `\n[demo-session]\naws_access_key_id = ${i.accessKeyId}\naws_secret_access_key = ${i.secretAccessKey}\naws_session_token = ${i.sessionToken}\nexpiration = ${i.expiration.replace('T', ' ').replace('Z', '')}\n`;

  it(`${KILLS} kills leave the credentials file either as it was or completely rewritten (${replayWith(SEED)})`, async () => {
    writeFileSync(f.home.credentialsPath, base, { mode: 0o600 });
    const awsDir = join(f.home.home, '.aws');
    const tmpSeen = new Set<string>();
    const stats = await killMany(
      () => ['demo-user', '-t', f.code(), '--refresh', '--write-profile', 'demo-session'],
      () => {
        const text = readFileSync(f.home.credentialsPath, 'utf8');
        if (text !== base) {
          const key = /\[demo-session\]\naws_access_key_id = (\S+)\n/.exec(text)?.[1];
          const issued = key === undefined ? undefined : f.server.issuedFor(key);
          // Complete: the old bytes plus exactly one whole section with a session STS really issued.
          expect(issued && text === base + section(issued) ? 'complete' : text).toBe('complete');
        }
        expect(statSync(f.home.credentialsPath).mode & 0o777).toBe(0o600);
        for (const name of readdirSync(awsDir)) {
          if (name.endsWith('.tmp')) tmpSeen.add(name);
          else expect(['config', 'credentials']).toContain(name);
        }
      },
    );
    expect(stats.killed).toBeGreaterThan(KILLS / 4);
    console.log(
      `killNine credentials: ${stats.killed} killed, ${stats.finished} finished first (kill delays 0-${stats.spans.join('/')} ms), ${tmpSeen.size} temp files left in ~/.aws; ${replayWith(SEED)}`,
    );

    // What the kills left (plus one as a kill before the rename leaves it, should none have) is a copy of the file,
    // long-term keys included. Once older than a concurrent write could be, a later write removes it.
    writeFileSync(join(awsDir, 'credentials.0123456789ab.tmp'), base, { mode: 0o600 });
    const leftovers = readdirSync(awsDir).filter((name) => name.endsWith('.tmp'));
    for (const name of leftovers) {
      expect(name).toMatch(/^credentials\.[0-9a-f]{12}\.tmp$/);
      const longAgo = Date.now() / 1000 - 120;
      utimesSync(join(awsDir, name), longAgo, longAgo);
    }

    // A later run works and leaves the file complete, with its own session, and nothing else behind.
    const later = await run(['demo-user', '-t', f.code(), '--refresh', '--write-profile', 'demo-session']);
    expect(later.status).toBe(0);
    expect(readFileSync(f.home.credentialsPath, 'utf8')).toBe(base + section(f.server.lastIssued()!));
    expect(readdirSync(awsDir).sort()).toEqual(['config', 'credentials']);
  }, 240000); // hundreds of runs, killed or not: minutes on a machine busy with other tests
});
