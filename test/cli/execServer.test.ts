// exec --server: the command gets a credential endpoint instead of fixed keys, and the real AWS CLI v2 and the JS SDK
// v3 keep working across role renewals on one MFA code. Role credentials from the test STS server last seconds here,
// so renewals happen during a test; every wait is for a condition (an expiry, a line, an exit), never a fixed time.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { join } from 'node:path';
import { ACCOUNT, DEMO_USER, type Fixture, startFixture } from '../support/fixture';
import { Pty } from '../support/pty';
import { CLI } from '../support/runCli';

// Debian's awscli is the real AWS CLI v2 (botocore 1.29); an older `aws` may come first on PATH. CI installs it: a
// missing one fails these tests rather than skipping them.
const AWS_CLI = '/usr/bin/aws';
const SDK_CONSUMER = join(__dirname, '..', 'support', 'sdkConsumer.js');
const ROLE = `arn:aws:iam::${ACCOUNT}:role/admin`;
const ROLE_ARN_OF_SESSION = new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/admin/`);

let f: Fixture;
let running: Exec[] = [];
beforeEach(async () => {
  f = await startFixture({ roles: [{ arn: ROLE, requireMfa: true }] });
  f.home.write({
    config: `${readFileSync(f.home.configPath, 'utf8')}\n[profile admin]\nrole_arn = ${ROLE}\nsource_profile = demo-user\nregion = us-west-2\n`,
  });
});
afterEach(async () => {
  for (const run of running) run.kill();
  running = [];
  await f.stop();
});

/** mfa-env exec, running, with no terminal; its stdout read line by line. */
class Exec {
  readonly child: ChildProcess;
  stderr = '';
  private buffered = '';
  private readonly lines: string[] = [];
  private wake?: () => void;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], env: Record<string, string | undefined> = {}) {
    this.child = spawn(process.execPath, [CLI, 'exec', ...args], {
      env: { ...f.home.env, AWS_PAGER: '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.buffered += chunk.toString('utf8');
      const parts = this.buffered.split('\n');
      this.buffered = parts.pop()!;
      this.lines.push(...parts);
      this.wake?.();
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
    this.exited.then(() => this.wake?.());
    running.push(this);
  }

  /** The next line the command printed. */
  async line(timeoutMs = 20000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.lines.length === 0) {
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`exited before printing a line; stderr: ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`no line in ${timeoutMs} ms; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 100);
      });
    }
    return this.lines.shift()!;
  }

  /** Lines up to and including one that matches. */
  async until(pattern: RegExp): Promise<string[]> {
    const seen: string[] = [];
    for (;;) {
      seen.push(await this.line());
      if (pattern.test(seen.at(-1)!)) return seen;
    }
  }

  send(text: string): void {
    this.child.stdin!.write(text);
  }

  kill(): void {
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** Waits until `check` holds, looking every 50 ms. */
async function waitFor(check: () => boolean, what: string, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Until the credentials the server issued with this key id have expired (by the server's clock). */
function expiryOf(accessKeyId: string): () => boolean {
  const issued = f.server.issuedFor(accessKeyId);
  if (!issued) throw new Error(`the server never issued ${accessKeyId}`);
  return () => f.server.nowMs() > issued.expiresAtMs;
}

const codesSent = () => f.server.calls.filter((c) => c.params.TokenCode !== undefined).length;
const lastCallerKey = () => f.server.callsOf('GetCallerIdentity').at(-1)!.accessKeyId;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Whether anything accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** A command that prints the endpoint's URL and token, then waits for stdin to end. */
const SHOW_ENDPOINT = [
  'sh',
  '-c',
  'echo "$AWS_CONTAINER_CREDENTIALS_FULL_URI"; echo "$AWS_CONTAINER_AUTHORIZATION_TOKEN"; cat >/dev/null',
];

async function endpointOf(run: Exec): Promise<{ url: string; token: string; port: number }> {
  const url = await run.line();
  const token = await run.line();
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/credentials$/);
  return { url, token, port: Number(new URL(url).port) };
}

/** The AWS CLI, once per line on stdin: the caller's ARN, then rc=STATUS. */
const AWS_CLI_LOOP = (endpoint: string) => [
  'sh',
  '-c',
  `while read -r _; do ${AWS_CLI} sts get-caller-identity --endpoint-url "$1" --output text --query Arn 2>&1; echo "rc=$?"; done`,
  'sh',
  endpoint,
];

describe('exec --server with the real AWS CLI v2', () => {
  it('keeps working across role renewals on one MFA code, renewing from the cached MFA session', async () => {
    f.server.roleDurationSeconds = 4;
    const run = new Exec(['--server', 'admin', '-t', f.code(), '--', ...AWS_CLI_LOOP(f.server.url)], {
      MFA_ENV_MIN_TTL: '1',
    });
    const keys: string[] = [];
    for (let round = 0; round < 3; round++) {
      if (round > 0) await waitFor(expiryOf(keys.at(-1)!), 'the role credentials to expire');
      run.send('go\n');
      const [arn, rc] = await run.until(/^rc=/);
      expect(rc).toBe('rc=0');
      expect(arn).toMatch(ROLE_ARN_OF_SESSION);
      keys.push(lastCallerKey());
    }
    // Three role sessions, each assumed from the one MFA session without a code.
    expect(new Set(keys).size).toBe(3);
    for (const key of keys)
      expect(f.server.issuedFor(key)).toMatchObject({ action: 'AssumeRole', roleArn: ROLE, mfa: true });
    expect(f.server.callsOf('GetSessionToken')).toHaveLength(1);
    expect(codesSent()).toBe(1);
    for (const call of f.server.callsOf('AssumeRole')) expect(call.params.TokenCode).toBeUndefined();
    run.child.stdin!.end();
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.stderr).toBe('');
  }, 60000);

  it('gives the command the endpoint and none of the variables the SDKs would prefer to it', async () => {
    const result = await f.run(['exec', '--server', 'admin', '-t', f.code(), '--', 'env'], {
      env: {
        AWS_PROFILE: 'admin',
        AWS_DEFAULT_PROFILE: 'admin',
        AWS_ACCESS_KEY_ID: 'AKIAOLDOLDOLDOLDOLD1',
        AWS_SECRET_ACCESS_KEY: 'old',
        AWS_SESSION_TOKEN: 'old',
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/x',
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: '/tmp/token',
      },
    });
    expect(result).toMatchObject({ status: 0, stderr: '' });
    const env = Object.fromEntries(
      result.stdout
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(env.AWS_CONTAINER_CREDENTIALS_FULL_URI).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/credentials$/);
    // 256 random bits, base64url.
    expect(env.AWS_CONTAINER_AUTHORIZATION_TOKEN).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(env).toMatchObject({ AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'us-west-2' });
    for (const name of [
      'AWS_PROFILE',
      'AWS_DEFAULT_PROFILE',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
      'AWS_SHARED_CREDENTIALS_FILE',
      'MFA_ENV_PROFILE',
    ]) {
      expect(env[name]).toBeUndefined();
    }
  });

  it('hides a credentials file whose default profile holds keys the CLI would take first', async () => {
    f.home.write({
      credentials: `${readFileSync(f.home.credentialsPath, 'utf8')}\n[default]\naws_access_key_id = ${DEMO_USER.accessKeyId}\naws_secret_access_key = ${DEMO_USER.secretAccessKey}\n`,
    });
    const run = new Exec([
      '--server',
      'admin',
      '-t',
      f.code(),
      '--',
      'sh',
      '-c',
      `echo "$AWS_SHARED_CREDENTIALS_FILE"; ${AWS_CLI} sts get-caller-identity --endpoint-url "$1" --output text --query Arn`,
      'sh',
      f.server.url,
    ]);
    expect(await run.line()).toBe('/dev/null');
    expect(await run.line()).toMatch(ROLE_ARN_OF_SESSION);
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(lastCallerKey()).toBe(f.server.lastIssued()!.accessKeyId);
  });

  it('refuses a config whose default profile has credentials of its own, before asking for a code or running anything', async () => {
    f.home.write({
      config: `${readFileSync(f.home.configPath, 'utf8')}\n[default]\nrole_arn = ${ROLE}\nsource_profile = demo-user\n`,
    });
    const result = await f.run(['exec', '--server', 'admin', '--', 'sh', '-c', 'echo ran']);
    expect(result).toMatchObject({ status: 3, stdout: '' });
    expect(result.stderr).toMatch(
      /^mfa-env: profile "default" in ".*config" has role_arn, which the AWS CLI and SDKs in the command would use instead of mfa-env's credential endpoint \(exec --server\); move it to a profile of its own, or run exec without --server\n$/,
    );
    expect(f.server.calls).toHaveLength(0);
  });

  it('answers the CLI with an error it reports when a code is needed and there is no way to ask, and says so once', async () => {
    f.server.sessionTokenDurationSeconds = 3;
    f.server.roleDurationSeconds = 2;
    const run = new Exec(['--server', 'admin', '-t', f.code(), '--', ...AWS_CLI_LOOP(f.server.url)], {
      MFA_ENV_MIN_TTL: '1',
    });
    await waitFor(() => f.server.issued.length === 2, 'the MFA and role sessions');
    await waitFor(expiryOf(f.server.issued[0].accessKeyId), 'the MFA session to expire');
    run.send('go\n');
    const output = await run.until(/^rc=/);
    expect(output.at(-1)).not.toBe('rc=0');
    // botocore shows the endpoint's answer, which names the profile and the way out.
    expect(output.join('\n')).toContain(
      'MfaCodeUnavailable","Message":"mfa-env: profile \\"admin\\" needs an MFA code and there is no terminal to ask on; set mfa_prompt (a desktop dialog) or mfa_process for the profile, or run the command again"',
    );
    run.child.stdin!.end();
    expect(await run.exited).toEqual({ code: 0, signal: null });
    // botocore asked three times; mfa-env said it once.
    expect(run.stderr).toBe(
      'mfa-env: the credential endpoint for the command has no credentials to give: profile "admin" needs an MFA code and there is no terminal to ask on; set mfa_prompt (a desktop dialog) or mfa_process for the profile, or run the command again\n',
    );
    expect(codesSent()).toBe(1);
  }, 60000);
});

describe('exec --server with the JS SDK v3', () => {
  it('one client refreshes from the endpoint by itself and keeps working across renewals, on one code', async () => {
    f.server.roleDurationSeconds = 4;
    const run = new Exec(
      ['--server', 'admin', '-t', f.code(), '--', process.execPath, SDK_CONSUMER, f.server.url, 'us-west-2'],
      { MFA_ENV_MIN_TTL: '1' },
    );
    const keys: string[] = [];
    for (let round = 0; round < 3; round++) {
      if (round > 0) await waitFor(expiryOf(keys.at(-1)!), 'the role credentials to expire');
      run.send('go\n');
      const answer = JSON.parse(await run.line());
      expect(answer).toMatchObject({ ok: true });
      expect(answer.arn).toMatch(ROLE_ARN_OF_SESSION);
      expect(answer.accessKeyId).toBe(lastCallerKey());
      keys.push(answer.accessKeyId);
    }
    expect(new Set(keys).size).toBe(3);
    for (const key of keys) expect(f.server.issuedFor(key)).toMatchObject({ action: 'AssumeRole', roleArn: ROLE });
    expect(codesSent()).toBe(1);
    run.child.stdin!.end();
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.stderr).toBe('');
  }, 60000);

  it('with --no-cache keeps the MFA session in memory: renewals need no code and nothing is written', async () => {
    f.server.roleDurationSeconds = 3;
    const run = new Exec(
      [
        '--server',
        '--no-cache',
        'admin',
        '-t',
        f.code(),
        '--',
        process.execPath,
        SDK_CONSUMER,
        f.server.url,
        'us-west-2',
      ],
      { MFA_ENV_MIN_TTL: '1' },
    );
    run.send('go\n');
    const first = JSON.parse(await run.line());
    expect(first).toMatchObject({ ok: true });
    await waitFor(expiryOf(first.accessKeyId), 'the role credentials to expire');
    run.send('go\n');
    const second = JSON.parse(await run.line());
    expect(second).toMatchObject({ ok: true });
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(codesSent()).toBe(1);
    run.child.stdin!.end();
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(f.home.env.MFA_ENV_CACHE_DIR) ? readdirSync(f.home.env.MFA_ENV_CACHE_DIR) : []).toEqual([]);
  }, 60000);
});

describe('the endpoint', () => {
  it('answers only GET /credentials with the token: 403 and no credentials without it or with a wrong one', async () => {
    const run = new Exec(['--server', 'admin', '-t', f.code(), '--debug', '--', ...SHOW_ENDPOINT]);
    const { url, token, port } = await endpointOf(run);
    const role = f.server.lastIssued()!;

    const good = await get(url, { Authorization: token });
    expect(good.status).toBe(200);
    expect(good.headers['content-type']).toBe('application/json');
    expect(JSON.parse(good.body)).toEqual({
      AccessKeyId: role.accessKeyId,
      SecretAccessKey: role.secretAccessKey,
      Token: role.sessionToken,
      Expiration: role.expiration,
    });

    const wrong = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const headers of [
      {} as Record<string, string>,
      { Authorization: wrong },
      { Authorization: `${token}x` },
      { Authorization: '' },
      { Authorization: `Bearer ${token}` },
    ]) {
      const refused = await get(url, headers);
      expect(refused.status).toBe(403);
      expect(refused.body).not.toMatch(/AccessKeyId|SecretAccessKey|Token"/);
      expect(refused.body).not.toContain(role.secretAccessKey);
    }
    expect((await get(`http://127.0.0.1:${port}/`, { Authorization: token })).status).toBe(404);
    expect((await get(`${url}?x=1`, { Authorization: token })).status).toBe(404);
    expect((await get(`${url}/..`, { Authorization: token })).status).toBe(404);
    const post = await get(url, { Authorization: token }, 'POST');
    expect(post).toMatchObject({ status: 405, headers: { allow: 'GET' } });
    expect((await get(url, { Authorization: token, 'Content-Length': '5' }, 'GET', 'hello')).status).toBe(400);
    // A page that rebinds its own host name to 127.0.0.1 sends that name.
    expect((await get(url, { Authorization: token, Host: `evil.example:${port}` })).status).toBe(403);
    // Headers are bounded (Node answers 431 and closes).
    expect((await get(url, { Authorization: token, 'X-Big': 'x'.repeat(20000) })).status).toBe(431);

    run.child.stdin!.end();
    expect(await run.exited).toEqual({ code: 0, signal: null });
    // --debug says what the endpoint does, and never the token or a secret.
    expect(run.stderr).toContain('credential endpoint');
    for (const secret of [token, role.secretAccessKey, role.sessionToken, role.accessKeyId])
      expect(run.stderr).not.toContain(secret);
  });

  it('renews once for many requests at the same moment', async () => {
    f.server.roleDurationSeconds = 3;
    const run = new Exec(['--server', 'admin', '-t', f.code(), '--', ...SHOW_ENDPOINT], { MFA_ENV_MIN_TTL: '1' });
    const { url, token } = await endpointOf(run);
    const first = f.server.lastIssued()!;
    // From 1 s before its end the cache no longer serves it: the next request renews.
    await waitFor(() => f.server.nowMs() >= first.expiresAtMs - 1000, 'the role session to need renewal');
    // A slow STS keeps the renewal in flight while every request arrives.
    f.server.failNext({ kind: 'delay', ms: 500 }, 1, 'AssumeRole');
    const answers = await Promise.all(Array.from({ length: 20 }, () => get(url, { Authorization: token })));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    const renewed = f.server.lastIssued()!;
    expect(renewed.accessKeyId).not.toBe(first.accessKeyId);
    expect(new Set(answers.map((a) => JSON.parse(a.body).AccessKeyId))).toEqual(new Set([renewed.accessKeyId]));
    expect(f.server.callsOf('AssumeRole')).toHaveLength(2);
    run.child.stdin!.end();
    expect(await run.exited).toEqual({ code: 0, signal: null });
  });

  it('takes a code from mfa_process when the MFA session behind the role has ended', async () => {
    const codeFile = join(f.home.home, 'code');
    f.home.write({
      config: readFileSync(f.home.configPath, 'utf8').replace(
        '[profile admin]\n',
        `[profile admin]\nmfa_process = cat ${codeFile}\n`,
      ),
    });
    f.server.sessionTokenDurationSeconds = 3;
    f.server.roleDurationSeconds = 2;
    const run = new Exec(['--server', 'admin', '-t', f.code(), '--', ...SHOW_ENDPOINT], { MFA_ENV_MIN_TTL: '1' });
    const { url, token } = await endpointOf(run);
    await waitFor(expiryOf(f.server.issued[0].accessKeyId), 'the MFA session to expire');
    writeFileSync(codeFile, `${f.code()}\n`);
    const answer = await get(url, { Authorization: token });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).AccessKeyId).toBe(f.server.lastIssued()!.accessKeyId);
    expect(f.server.callsOf('GetSessionToken')).toHaveLength(2);
    expect(codesSent()).toBe(2);
    run.child.stdin!.end();
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.stderr).toBe('');
  });

  it('asks on the terminal when the MFA session has ended and there is one, while the request waits', async () => {
    f.server.sessionTokenDurationSeconds = 3;
    f.server.roleDurationSeconds = 2;
    const pty = new Pty(
      `${process.execPath} ${CLI} exec --server admin -t ${f.code()} -- sh -c 'echo "endpoint $AWS_CONTAINER_CREDENTIALS_FULL_URI $AWS_CONTAINER_AUTHORIZATION_TOKEN ."; exec sleep 60'`,
      {
        env: { ...f.home.env, MFA_ENV_MIN_TTL: '1' },
      },
    );
    try {
      const [, url, token] = /endpoint (\S+) (\S+) \./.exec(await pty.waitFor(/endpoint \S+ \S+ \./))!;
      await waitFor(expiryOf(f.server.issued[0].accessKeyId), 'the MFA session to expire');
      const answer = get(url, { Authorization: token });
      const from = pty.output.length;
      await pty.waitFor(`MFA code for ${DEMO_USER.serial}:`, { from });
      pty.type(`${f.code()}\r`);
      expect((await answer).status).toBe(200);
      expect(JSON.parse((await answer).body).AccessKeyId).toBe(f.server.lastIssued()!.accessKeyId);
      expect(codesSent()).toBe(2);
    } finally {
      pty.kill();
    }
  });

  it('without a way to get a code answers 503 with an error and no credentials, and asks nothing again for a while', async () => {
    f.server.sessionTokenDurationSeconds = 3;
    f.server.roleDurationSeconds = 2;
    const run = new Exec(['--server', 'admin', '-t', f.code(), '--', ...SHOW_ENDPOINT], { MFA_ENV_MIN_TTL: '1' });
    const { url, token } = await endpointOf(run);
    await waitFor(expiryOf(f.server.issued[0].accessKeyId), 'the MFA session to expire');
    const calls = f.server.calls.length;
    for (let i = 0; i < 3; i++) {
      const answer = await get(url, { Authorization: token });
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body)).toEqual({
        Code: 'MfaCodeUnavailable',
        Message:
          'mfa-env: profile "admin" needs an MFA code and there is no terminal to ask on; set mfa_prompt (a desktop dialog) or mfa_process for the profile, or run the command again',
      });
    }
    // The role could not be renewed from the ended MFA session, and no code was sent.
    expect(f.server.calls.slice(calls).filter((c) => c.params.TokenCode !== undefined)).toHaveLength(0);
    run.child.stdin!.end();
    await run.exited;
    expect(run.stderr.split('\n').filter((l) => l.includes('needs an MFA code'))).toHaveLength(1);
  });
});

describe('the endpoint lives exactly as long as the command', () => {
  /** The port, and the command's pid. */
  async function started(run: Exec): Promise<{ port: number; pid: number }> {
    const { port } = await endpointOf(run);
    const pid = Number(await run.line());
    expect(await listening(port)).toBe(true);
    return { port, pid };
  }
  const WAITING = [
    'sh',
    '-c',
    'echo "$AWS_CONTAINER_CREDENTIALS_FULL_URI"; echo "$AWS_CONTAINER_AUTHORIZATION_TOKEN"; echo $$; trap "exit 7" TERM; while :; do sleep 0.05; done',
  ];

  it('ends with the command, with its exit code', async () => {
    const run = new Exec(['--server', 'admin', '-t', f.code(), '--', 'sh', '-c', `${SHOW_ENDPOINT[2]}; exit 3`]);
    const { port } = await endpointOf(run);
    expect(await listening(port)).toBe(true);
    run.child.stdin!.end();
    expect(await run.exited).toEqual({ code: 3, signal: null });
    expect(await listening(port)).toBe(false);
  });

  it('ends when the command is killed (exit 128 + 9)', async () => {
    const run = new Exec(['--server', 'admin', '-t', f.code(), '--', ...WAITING]);
    const { port, pid } = await started(run);
    process.kill(pid, 'SIGKILL');
    expect(await run.exited).toEqual({ code: 137, signal: null });
    expect(await listening(port)).toBe(false);
  });

  it('passes SIGTERM on, and ends when the command has', async () => {
    const run = new Exec(['--server', 'admin', '-t', f.code(), '--', ...WAITING]);
    const { port } = await started(run);
    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 7, signal: null });
    expect(await listening(port)).toBe(false);
  });

  it('is gone when mfa-env is killed with SIGKILL, though the command lives on', async () => {
    const run = new Exec(['--server', 'admin', '-t', f.code(), '--', ...WAITING]);
    const { port, pid } = await started(run);
    run.child.kill('SIGKILL');
    await run.exited;
    // The command did not inherit the listening socket: nothing at all listens there now.
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect(await listening(port)).toBe(false);
    process.kill(pid, 'SIGKILL');
  });

  it('listens on 127.0.0.1 and nowhere else (the kernel says so)', async () => {
    const run = new Exec(['--server', 'admin', '-t', f.code(), '--', ...WAITING]);
    const { port } = await started(run);
    const sockets = socketsOf(run.child.pid!);
    const listeners = sockets.filter((s) => s.state === 'LISTEN');
    expect(listeners).toEqual([{ proto: 'tcp', address: '127.0.0.1', port, state: 'LISTEN' }]);
    // No other way in either: no UDP, no IPv6 socket.
    expect(sockets.filter((s) => s.proto !== 'tcp')).toEqual([]);
    run.child.kill('SIGTERM');
    await run.exited;
  });
});

describe('mfa_exec_server', () => {
  it('makes --server the default for a profile, and --no-server turns it off', async () => {
    f.home.write({
      config: readFileSync(f.home.configPath, 'utf8').replace(
        '[profile admin]\n',
        '[profile admin]\nmfa_exec_server = true\n',
      ),
    });
    const show = ['sh', '-c', 'echo "${AWS_CONTAINER_CREDENTIALS_FULL_URI:-none} ${AWS_ACCESS_KEY_ID:-none}"'];
    const served = await f.run(['exec', 'admin', '-t', f.code(), '--', ...show]);
    expect(served).toMatchObject({ status: 0, stderr: '' });
    expect(served.stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/credentials none\n$/);
    const plain = await f.run(['exec', 'admin', '--no-server', '--', ...show]);
    expect(plain).toMatchObject({ status: 0, stdout: `none ${f.server.lastIssued()!.accessKeyId}\n` });
  });

  it('is true or false, else a config error naming the profile and file', async () => {
    f.home.write({
      config: readFileSync(f.home.configPath, 'utf8').replace(
        '[profile admin]\n',
        '[profile admin]\nmfa_exec_server = yes\n',
      ),
    });
    const result = await f.run(['exec', 'admin', '--', 'true']);
    expect(result).toMatchObject({ status: 3, stdout: '' });
    expect(result.stderr).toMatch(
      /^mfa-env: mfa_exec_server of profile "admin" in ".*config" is "yes"; use true or false\n$/,
    );
  });
});

/** The process's sockets, as the kernel lists them in /proc/PID/net/*, found by the inodes of its open files. */
function socketsOf(pid: number): Array<{ proto: string; address: string; port: number; state: string }> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const found: Array<{ proto: string; address: string; port: number; state: string }> = [];
  for (const proto of ['tcp', 'tcp6', 'udp', 'udp6', 'raw', 'raw6']) {
    const rows = readFileSync(`/proc/${pid}/net/${proto}`, 'utf8').trim().split('\n').slice(1);
    for (const row of rows) {
      const cols = row.trim().split(/\s+/);
      if (!inodes.has(cols[9])) continue;
      const [hexAddress, hexPort] = cols[1].split(':');
      found.push({
        proto,
        address: addressOf(hexAddress),
        port: parseInt(hexPort, 16),
        state: cols[3] === '0A' ? 'LISTEN' : cols[3],
      });
    }
  }
  return found;
}

/** /proc/net's little-endian hex address, as text. */
function addressOf(hex: string): string {
  if (hex.length === 8) return [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.');
  return hex;
}
