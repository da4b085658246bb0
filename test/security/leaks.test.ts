// Secrets never show: not in what any failure or success prints (with or without --debug), not in the cache's file
// names, not in the argv or environment of mfa-env or of the processes it starts, as `ps` or /proc would show them.
// "Secrets": the long-term secret key, every issued or cached secret key and session token; with --debug also any
// full access key id (debug shows key ids by their last 4 characters only).

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NOT_SESSIONS } from '../support/cacheDir';
import { DEMO_USER, type Fixture } from '../support/fixture';
import { CLI, type CliResult, runCli } from '../support/runCli';
import { evalInShell } from '../support/shells';
import { until } from '../support/until';
import { pool } from './support/harness';
import {
  knownSecrets,
  ROLE,
  roleProfile,
  runInvocation,
  SCENARIOS,
  type Scenario,
  scenarioFixture,
} from './support/scenarios';

/** Full access key ids the run could have seen: the user's and every issued or cached one. */
function keyIds(f: Fixture, cached: string[] = []): string[] {
  return [DEMO_USER.accessKeyId, ...f.server.issued.map((i) => i.accessKeyId), ...cached];
}

function cachedKeyIds(f: Fixture): string[] {
  const dir = f.home.env.MFA_ENV_CACHE_DIR;
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    try {
      return [(JSON.parse(readFileSync(join(dir, n), 'utf8')) as { accessKeyId: string }).accessKeyId];
    } catch {
      return [];
    }
  });
}

/** The secrets (and, for debug output, key ids) found in `text`, by their last 6 characters. */
function found(text: string, needles: string[]): string[] {
  return [...new Set(needles.filter((n) => n && text.includes(n)).map((n) => `...${n.slice(-6)}`))];
}

interface Outcome {
  result: CliResult;
  secrets: string[];
  keyIds: string[];
}

/** Runs a scenario in a fixture of its own, optionally with --debug, and collects what could leak. */
async function runScenario(scenario: Scenario, debug: boolean): Promise<Outcome> {
  const f = await scenarioFixture();
  try {
    const invocation = await scenario.prepare(f);
    const before = { secrets: knownSecrets(f), keyIds: cachedKeyIds(f) };
    const result = await runInvocation(f, {
      ...invocation,
      args: debug ? [...invocation.args, '--debug'] : invocation.args,
    });
    return {
      result,
      secrets: knownSecrets(f, before.secrets),
      keyIds: keyIds(f, [...before.keyIds, ...cachedKeyIds(f)]),
    };
  } finally {
    await f.stop();
  }
}

describe.each([
  ['without --debug', false],
  ['with --debug', true],
] as const)('every error scenario, %s', (_, debug) => {
  const runnable = SCENARIOS.filter((s) => !s.skip);
  const outcomes = new Map<string, Outcome>();
  beforeAll(async () => {
    const results = await pool(
      4,
      runnable.map((s) => () => runScenario(s, debug)),
    );
    for (const [i, s] of runnable.entries()) outcomes.set(s.name, results[i]);
  }, 120000);

  it.each(runnable.map((s) => [s.name] as const))('%s', (name) => {
    const { result, secrets, keyIds: ids } = outcomes.get(name)!;
    const output = result.stdout + result.stderr;
    expect(found(output, secrets)).toEqual([]);
    // Error messages name keys by their last 4 characters, debug lines too.
    expect(found(output, ids)).toEqual([]);
    expect(result.stdout).toBe('');
  });
});

describe('successful runs', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await scenarioFixture();
  });
  afterEach(() => f.stop());

  /** stderr shows no secret, no full key id; stdout shows only the session the command is about. */
  function expectQuiet(result: CliResult, { stdoutMayHold = [] as string[] } = {}): void {
    expect(result.status).toBe(0);
    const secrets = knownSecrets(f);
    expect(found(result.stderr, [...secrets, ...keyIds(f)])).toEqual([]);
    expect(
      found(
        result.stdout,
        secrets.filter((s) => !stdoutMayHold.includes(s)),
      ),
    ).toEqual([]);
    expect(result.stdout).not.toContain(DEMO_USER.secretAccessKey);
  }

  const sessionOf = (issued = f.server.lastIssued()!) => [issued.secretAccessKey, issued.sessionToken];

  it.each([[[] as string[]], [['--debug']]])(
    'export, role export, cached, json, dotenv, fish, write-profile, exec, list, status: %j',
    async (extra) => {
      let r = await f.run(['demo-user', '-t', f.code(), ...extra]);
      expectQuiet(r, { stdoutMayHold: sessionOf() });
      const mfa = f.server.lastIssued()!;
      r = await f.run(['admin', ...extra], { stdin: 'closed' });
      expectQuiet(r, { stdoutMayHold: sessionOf() });
      const admin = f.server.lastIssued()!;
      for (const format of ['sh', 'fish', 'json', 'dotenv']) {
        r = await f.run(['demo-user', '--format', format, ...extra], { stdin: 'closed' });
        expectQuiet(r, { stdoutMayHold: sessionOf(mfa) });
      }
      r = await f.run(['admin', '--write-profile', 'admin-session', ...extra], { stdin: 'closed' });
      expectQuiet(r);
      r = await f.run(['exec', 'admin', ...extra, '--', 'sh', '-c', 'test -n "$AWS_SESSION_TOKEN"'], {
        stdin: 'closed',
      });
      expectQuiet(r);
      const loaded = evalInShell('sh', (await f.run(['admin'], { stdin: 'closed' })).stdout, f.home.env);
      for (const args of [['list'], ['list', '--json'], ['status'], ['forget', 'nobody-cached']]) {
        r = await f.run([...args, ...extra], { env: loaded });
        expectQuiet(r);
        // Listings name no key at all.
        expect(found(r.stdout, keyIds(f))).toEqual([]);
      }
      r = await f.run(['whoami', ...extra], { env: { ...loaded, AWS_ENDPOINT_URL_STS: f.server.url } });
      expectQuiet(r);
      expect(found(r.stdout, keyIds(f))).toEqual([]);
      expect(admin.secretAccessKey).not.toBe(mfa.secretAccessKey);
    },
  );

  it('the cache names files by a hash and never stores the long-term secret', async () => {
    await f.run(['admin', '-t', f.code()]);
    const dir = f.home.env.MFA_ENV_CACHE_DIR;
    for (const name of readdirSync(dir)) {
      if (NOT_SESSIONS.includes(name)) {
        // The fast path's memos of profile resolution (names and file names) and V8's compiled code: never a secret.
        for (const file of readdirSync(join(dir, name), { recursive: true, encoding: 'utf8' })) {
          if (!statSync(join(dir, name, file)).isFile()) continue;
          const text = readFileSync(join(dir, name, file), 'latin1');
          expect(text).not.toContain(DEMO_USER.secretAccessKey);
          for (const issued of f.server.issued) expect(text).not.toContain(issued.secretAccessKey);
        }
        continue;
      }
      expect(name).toMatch(/^(mfa|role)-[0-9a-f]{32}\.json$/);
      const text = readFileSync(join(dir, name), 'utf8');
      expect(text).not.toContain(DEMO_USER.secretAccessKey);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// What `ps` and /proc show

/** argv of a process, from /proc/PID/cmdline. */
const procArgv = (pid: number | string) =>
  readFileSync(`/proc/${pid}/cmdline`).toString('utf8').split('\0').slice(0, -1);
const procEnviron = (pid: number | string) => readFileSync(`/proc/${pid}/environ`).toString('utf8');

/** Every process whose parent is `pid`, as /proc/PID/stat says (field 4). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

describe('/proc: argv and environment', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await scenarioFixture();
  });
  afterEach(() => f.stop());

  it('while mfa-env waits for STS (renewing a role from the cached MFA session), its argv and environ hold no secret and it runs no child', async () => {
    expect((await f.run(['demo-user', '-t', f.code()])).status).toBe(0);
    const mfa = f.server.lastIssued()!;
    f.server.resetCalls();
    f.server.failNext({ kind: 'hang' }, 10);
    const child = spawn(process.execPath, [CLI, 'admin'], { env: f.home.env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await until('mfa-env to call STS', () => f.server.calls.length > 0);
      expect(f.server.calls[0]).toMatchObject({ action: 'AssumeRole', accessKeyId: mfa.accessKeyId });
      expect(procArgv(child.pid!)).toEqual([process.execPath, CLI, 'admin']);
      const environ = procEnviron(child.pid!);
      expect(
        found(environ, [DEMO_USER.secretAccessKey, mfa.secretAccessKey, mfa.sessionToken, mfa.accessKeyId]),
      ).toEqual([]);
      expect(childrenOf(child.pid!)).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.on('close', r));
    }
  });

  it("mfa_process: the command's argv is /bin/sh -c COMMAND and its environment holds no key, cached or long-term", async () => {
    // A session already cached (and so on disk): a --refresh must not hand it to the code command.
    expect((await f.run(['demo-user', '-t', f.code()])).status).toBe(0);
    const cached = f.server.lastIssued()!;
    const dump = join(f.home.home, 'dump');
    const script = join(f.home.home, 'otp.sh');
    require('node:fs').writeFileSync(
      script,
      `#!/bin/sh\ncat /proc/$$/cmdline > ${dump}.argv\ncat /proc/$$/environ > ${dump}.environ\ncat /proc/$PPID/cmdline > ${dump}.parent\necho ${f.code()}\n`,
      { mode: 0o755 },
    );
    const command = `/bin/sh ${script}`;
    const r = await f.run(['demo-user', '--refresh', '--mfa-process', command], { stdin: 'closed' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const argv = readFileSync(`${dump}.argv`).toString().split('\0').slice(0, -1);
    expect(argv).toEqual(['/bin/sh', script]);
    // Its parent is the /bin/sh -c mfa-env started, with exactly the command.
    expect(readFileSync(`${dump}.parent`).toString().split('\0').slice(0, -1)).toEqual(['/bin/sh', '-c', command]);
    const environ = readFileSync(`${dump}.environ`, 'utf8');
    expect(
      found(environ, [
        DEMO_USER.secretAccessKey,
        DEMO_USER.accessKeyId,
        cached.secretAccessKey,
        cached.sessionToken,
        cached.accessKeyId,
      ]),
    ).toEqual([]);
  });

  it("exec: the child's argv is only the user's command, and neither argv nor mfa-env's own environ holds the session", async () => {
    const dump = join(f.home.home, 'dump');
    const command = [
      'sh',
      '-c',
      `cat /proc/$$/cmdline > ${dump}.self; cat /proc/$PPID/cmdline > ${dump}.parent; cat /proc/$PPID/environ > ${dump}.parent-environ; printf %s "$AWS_SESSION_TOKEN" > ${dump}.token`,
      'arg with spaces',
      '$HOME',
    ];
    const r = await runCli(['exec', 'admin', '-t', f.code(), '--', ...command], { env: f.home.env });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const admin = f.server.lastIssued()!;
    const session = [
      admin.secretAccessKey,
      admin.sessionToken,
      admin.accessKeyId,
      ...f.server.issued.flatMap((i) => [i.secretAccessKey, i.sessionToken]),
    ];
    // The child got the session in its environment (so the check below can fail)...
    expect(readFileSync(`${dump}.token`, 'utf8')).toBe(admin.sessionToken);
    // ...but its argv is the user's command, word for word.
    expect(readFileSync(`${dump}.self`).toString().split('\0').slice(0, -1)).toEqual(command);
    const parentArgv = readFileSync(`${dump}.parent`).toString().split('\0').slice(0, -1);
    expect(parentArgv.slice(1)).toEqual([
      CLI,
      'exec',
      'admin',
      '-t',
      expect.stringMatching(/^\d{6}$/),
      '--',
      ...command,
    ]);
    expect(found(parentArgv.join('\0'), [...session, DEMO_USER.secretAccessKey])).toEqual([]);
    expect(
      found(readFileSync(`${dump}.parent-environ`, 'utf8'), [
        ...session,
        DEMO_USER.secretAccessKey,
        DEMO_USER.accessKeyId,
      ]),
    ).toEqual([]);
  });
});

describe('--debug', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await scenarioFixture();
    f.home.write({
      config:
        readFileSync(f.home.configPath, 'utf8') +
        roleProfile(f, 'partner', [
          `role_arn = ${ROLE('partner')}`,
          'source_profile = demo-user',
          'external_id = partner-id-42',
        ]),
    });
  });
  afterEach(() => f.stop());

  it('says what it does, naming keys by their last 4 characters, for a success and for a failure', async () => {
    const ok = await f.run(['partner', '-t', f.code(), '--debug']);
    expect(ok.status).toBe(0);
    expect(ok.stderr).toMatch(/^mfa-env: debug: /m);
    const [mfa, role] = f.server.issued;
    expect(ok.stderr).toContain(`...${DEMO_USER.accessKeyId.slice(-4)}`);
    expect(ok.stderr).toContain(`...${mfa.accessKeyId.slice(-4)}`);
    expect(found(ok.stderr, [...knownSecrets(f), ...keyIds(f)])).toEqual([]);

    // A failure after sessions were issued and cached: the cached MFA session is used, then the role refuses it.
    f.home.write({
      config: readFileSync(f.home.configPath, 'utf8').replace('external_id = partner-id-42', 'external_id = wrong-id'),
    });
    const failed = await f.run(['partner', '--debug'], { stdin: 'closed' });
    expect(failed.status).toBe(5);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toMatch(/^mfa-env: debug: .*AssumeRole/m);
    expect(found(failed.stderr, [...knownSecrets(f), ...keyIds(f)])).toEqual([]);
    expect(role.secretAccessKey).not.toBe(mfa.secretAccessKey);
  });
});
