// Many shells logging in at once: 50 runs in parallel across 5 profiles share one cache directory, starting cold.
// Every run succeeds with credentials STS issued, every cache file is a complete entry, and afterwards each profile
// is served from the cache with no STS call and no way to give a code.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOUNT } from '../support/fixture';
import { type CliResult, runCli } from '../support/runCli';
import { evalInShell } from '../support/shells';
import { StsServer } from '../support/sts-server';
import { type TempHome, tempHome } from '../support/tempHome';
import { newTotpSecret, totpCode } from '../support/totp';
import { cacheEntryProblems, listDir, RETRY_NOTICE } from './support/harness';

const RUNS = 50;
const PROFILES = 5;

interface Setup {
  server: StsServer;
  home: TempHome;
  profiles: string[];
  code(profile: string): string;
}

let s: Setup | undefined;
afterEach(async () => {
  await s?.server.stop();
  s?.home.remove();
  s = undefined;
});

const cacheDir = () => s!.home.env.MFA_ENV_CACHE_DIR;
const run = (args: string[], stdin: 'closed' | 'null' = 'null') =>
  runCli(args, { env: s!.home.env, stdin, timeoutMs: 60000 });

/** Five IAM users, each with its own keys, MFA device and profile. */
async function fiveUsers(): Promise<Setup> {
  const users = Array.from({ length: PROFILES }, (_, i) => ({
    userName: `user${i}`,
    accountId: ACCOUNT,
    accessKeyId: `AKIACONCURRENT0000${i}X`,
    secretAccessKey: `secret/${i}/${'k'.repeat(30)}`,
    serial: `arn:aws:iam::${ACCOUNT}:mfa/user${i}`,
    secret: newTotpSecret(),
  }));
  const server = await StsServer.start({
    users: users.map((u) => ({ ...u, mfaDevices: [{ serial: u.serial, secret: u.secret }] })),
  });
  const home = tempHome({
    config: users
      .map(
        (u) =>
          `[profile ${u.userName}]\nmfa_serial = ${u.serial}\nregion = eu-west-${(Number(u.userName.slice(-1)) % 3) + 1}\nendpoint_url = ${server.url}\n`,
      )
      .join('\n'),
    credentials: users
      .map(
        (u) => `[${u.userName}]\naws_access_key_id = ${u.accessKeyId}\naws_secret_access_key = ${u.secretAccessKey}\n`,
      )
      .join('\n'),
  });
  const secrets = new Map(users.map((u) => [u.userName, u.secret]));
  return { server, home, profiles: users.map((u) => u.userName), code: (p) => totpCode(secrets.get(p)!) };
}

/** One IAM user and five role profiles on top of it: one MFA session, five role sessions. */
async function oneUserFiveRoles(): Promise<Setup> {
  const secret = newTotpSecret();
  const serial = `arn:aws:iam::${ACCOUNT}:mfa/demo-user`;
  const roles = Array.from({ length: PROFILES }, (_, i) => `arn:aws:iam::${ACCOUNT}:role/role${i}`);
  const server = await StsServer.start({
    users: [
      {
        userName: 'demo-user',
        accountId: ACCOUNT,
        accessKeyId: 'AKIAONEUSERFIVEROLES',
        secretAccessKey: 'the/long-term/secret/key/of/the/user00',
        mfaDevices: [{ serial, secret }],
      },
    ],
    roles: roles.map((arn) => ({ arn, requireMfa: true })),
  });
  const home = tempHome({
    config:
      `[profile demo-user]\nmfa_serial = ${serial}\nendpoint_url = ${server.url}\n` +
      roles
        .map(
          (arn, i) =>
            `\n[profile role${i}]\nrole_arn = ${arn}\nsource_profile = demo-user\nendpoint_url = ${server.url}\n`,
        )
        .join(''),
    credentials: `[demo-user]\naws_access_key_id = AKIAONEUSERFIVEROLES\naws_secret_access_key = the/long-term/secret/key/of/the/user00\n`,
  });
  return { server, home, profiles: roles.map((_, i) => `role${i}`), code: () => totpCode(secret) };
}

function checkCacheDir(expectedFiles: number): void {
  const names = listDir(cacheDir());
  expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
  expect(names).toHaveLength(expectedFiles);
  for (const name of names) expect(cacheEntryProblems(join(cacheDir(), name))).toEqual([]);
  // The plan memos are written by every run too: whole, parseable, no temp file left.
  const plans = join(cacheDir(), 'plans');
  const memos = readdirSync(plans);
  expect(memos.length).toBeGreaterThan(0);
  for (const name of memos) expect(name).toMatch(/^[0-9a-f]{16}\.json$/);
  for (const name of memos)
    expect(JSON.parse(readFileSync(join(plans, name), 'utf8'))).toHaveProperty('result.sessionFile');
}

/** The run exported credentials STS issued, for the right profile. */
function expectIssued(result: CliResult, profile: string): void {
  // Nothing but the notice of a retry: 50 runs starting at once on a small machine can take an STS answer past one
  // attempt's 4 seconds, and mfa-env says when it sends a code again.
  expect(result.stderr.split('\n').filter((line) => line !== '' && !RETRY_NOTICE.test(line))).toEqual([]);
  expect(result.status).toBe(0);
  const env = evalInShell('sh', result.stdout, s!.home.env);
  expect(env.MFA_ENV_PROFILE).toBe(profile);
  const issued = s!.server.issuedFor(env.AWS_ACCESS_KEY_ID);
  expect(issued).toBeDefined();
  expect(env).toMatchObject({
    AWS_SECRET_ACCESS_KEY: issued!.secretAccessKey,
    AWS_SESSION_TOKEN: issued!.sessionToken,
  });
}

describe.each([
  ['5 IAM users', fiveUsers, PROFILES],
  ['1 IAM user and 5 roles', oneUserFiveRoles, PROFILES + 1],
] as const)('%s, 50 parallel runs on a cold cache', (_, make, files) => {
  it('all succeed, leave complete cache files, and each profile is then served from the cache', async () => {
    s = await make();
    const order = Array.from({ length: RUNS }, (_, i) => s!.profiles[i % PROFILES]);
    const results = await Promise.all(order.map((p) => run([p, '-t', s!.code(p)])));
    for (const [i, r] of results.entries()) expectIssued(r, order[i]);
    checkCacheDir(files);

    s.server.resetCalls();
    for (const profile of s.profiles) {
      const again = await run([profile], 'closed');
      expectIssued(again, profile);
      // The cached session is the one in the profile's file.
      const env = evalInShell('sh', again.stdout, s.home.env);
      const cached = listDir(cacheDir()).map(
        (n) => JSON.parse(readFileSync(join(cacheDir(), n), 'utf8')) as { accessKeyId: string },
      );
      expect(cached.map((c) => c.accessKeyId)).toContain(env.AWS_ACCESS_KEY_ID);
    }
    expect(s.server.calls).toEqual([]);
  }, 90000);
});
