// `mfa-env console`: the sign-in URL for a role profile, made at the (test) federation endpoint from the role
// session, decoded and checked; the refusal for a user profile; the hand-off to the browser without the URL on any
// command line; and the URL, token and credentials never in a message.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AccountFixture, ADMIN_ROLE, LONG_ROLE, startAccountFixture } from '../support/accountFixture';
import { ACCOUNT, DEMO_USER } from '../support/fixture';

let f: AccountFixture;
beforeEach(async () => {
  f = await startAccountFixture();
});
afterEach(() => f.stop());

/** The parts of a printed sign-in URL, and the grant the server made for its token. */
function decode(url: string) {
  const parsed = new URL(url.trim());
  const token = parsed.searchParams.get('SigninToken') ?? '';
  return {
    base: `${parsed.origin}${parsed.pathname}`,
    action: parsed.searchParams.get('Action'),
    destination: parsed.searchParams.get('Destination'),
    grant: f.server.signinTokens.find((g) => g.signinToken === token),
    token,
  };
}

describe('console for a role profile', () => {
  it('prints a sign-in URL whose token the federation endpoint made from the role session, landing in the profile’s region', async () => {
    const result = await f.run(['console', 'prod', '--print', '-t', f.code()]);
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n')).toHaveLength(2);
    expect(result.stderr).toBe(
      `mfa-env: this URL signs in to the AWS console as ${ADMIN_ROLE} (profile prod) for 15 minutes: do not share it\n`,
    );
    const url = decode(result.stdout);
    // The endpoint comes from the same rule as every other: here the source profile's endpoint_url.
    expect(url).toMatchObject({
      base: `${f.server.url}/federation`,
      action: 'login',
      destination: 'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1',
    });
    // The token came from the role session, and that session was assumed from the MFA session, with MFA.
    const role = f.server.issuedFor(url.grant!.accessKeyId)!;
    expect(role).toMatchObject({ action: 'AssumeRole', roleArn: ADMIN_ROLE, mfa: true });
    expect(f.server.issuedFor(role.sourceAccessKeyId)).toMatchObject({
      action: 'GetSessionToken',
      mfaSerial: DEMO_USER.serial,
    });
    expect(url.grant!.sessionDuration).toBeUndefined();

    // The URL signs in: the login redirects to the destination.
    const login = await fetch(result.stdout.trim(), { redirect: 'manual' });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe(url.destination);
    expect(f.server.consoleLogins).toEqual([
      expect.objectContaining({ accessKeyId: role.accessKeyId, destination: url.destination, issuer: 'mfa-env' }),
    ]);

    // The role session is cached: the next URL asks for no code and no STS call, only a new token.
    f.server.resetCalls();
    const again = await f.run(['console', 'prod', '--print', '--no-input']);
    expect(again.status).toBe(0);
    expect(f.server.calls.map((c) => c.action)).toEqual(['getSigninToken']);
    expect(decode(again.stdout).grant!.accessKeyId).toBe(role.accessKeyId);
  });

  it('renews the role session from the cached MFA session without a code', async () => {
    expect((await f.run(['demo-user', '-t', f.code()])).status).toBe(0);
    f.server.resetCalls();
    const result = await f.run(['console', 'prod', '--print', '--no-input'], { stdin: 'closed' });
    expect(result.status).toBe(0);
    expect(f.server.calls.map((c) => c.action)).toEqual(['AssumeRole', 'getSigninToken']);
  });

  it('takes the region and the console page from --region, --path and --destination', async () => {
    const code = f.code();
    const s3 = await f.run(['console', 'prod', '--print', '-t', code, '--region', 'us-west-2', '--path', 's3/buckets']);
    expect(decode(s3.stdout).destination).toBe('https://us-west-2.console.aws.amazon.com/s3/buckets?region=us-west-2');
    const ec2 = await f.run(['console', 'prod', '--print', '--path', 'ec2/home#Instances'], {
      env: { AWS_REGION: 'ap-south-1' },
    });
    expect(decode(ec2.stdout).destination).toBe(
      'https://ap-south-1.console.aws.amazon.com/ec2/home?region=ap-south-1#Instances',
    );
    const whole = await f.run([
      'console',
      'prod',
      '--print',
      '--destination',
      'https://s3.console.aws.amazon.com/s3/home',
    ]);
    expect(decode(whole.stdout).destination).toBe('https://s3.console.aws.amazon.com/s3/home');

    f.server.resetCalls();
    for (const [args, message] of [
      [
        ['--destination', 'https://evil.example/console'],
        /--destination is "https:\/\/evil.example\/console", not an https URL of the AWS console/,
      ],
      [['--destination', 'http://console.aws.amazon.com/'], /not an https URL of the AWS console/],
      [['--path', '//evil.example/x'], /--path is "\/\/evil.example\/x", not a path of the AWS console/],
      [
        ['--path', 's3', '--destination', 'https://console.aws.amazon.com/'],
        /--path and --destination say the same thing/,
      ],
      [['--region', 'cn-north-1'], /region cn-north-1 is not in the partition of role .* \(aws\)/],
      [['--region', 'eu west'], /--region is "eu west", not a region name/],
    ] as const) {
      const refused = await f.run(['console', 'prod', '--print', ...args]);
      expect(refused).toMatchObject({ status: 2, stdout: '' });
      expect(refused.stderr).toMatch(message);
    }
    // Refused before a token was asked for.
    expect(f.server.callsOf('getSigninToken')).toEqual([]);
  });

  it('asks for a console session length only where AWS takes one: a role assumed with the long-term keys', async () => {
    const chained = await f.run(['console', 'prod', '--print', '--console-duration', '2h', '-t', f.code()]);
    expect(chained).toMatchObject({ status: 2, stdout: '' });
    expect(chained.stderr).toMatch(
      /--console-duration cannot be used with profile "prod": its role is assumed with temporary credentials \(role chaining/,
    );
    expect(f.server.calls).toEqual([]);

    const direct = await f.run(['console', 'prod-long', '--print', '--console-duration', '12h', '-t', f.code()]);
    expect(direct.status).toBe(0);
    const url = decode(direct.stdout);
    expect(url.grant).toMatchObject({ roleArn: LONG_ROLE, sessionDuration: 43200 });
    // No region anywhere: the console's home.
    expect(url.destination).toBe('https://console.aws.amazon.com/console/home');
    expect(f.server.issuedFor(url.grant!.accessKeyId)).toMatchObject({
      sourceAccessKeyId: DEMO_USER.accessKeyId,
      durationSeconds: 7200,
    });
  });

  it('finds AWS sign-in by AWS_ENDPOINT_URL_SIGNIN, and says so when it cannot be reached or refuses', async () => {
    const code = f.code();
    const dead = await f.run(['console', 'prod', '--print', '-t', code, '--timeout', '2'], {
      env: { AWS_ENDPOINT_URL_SIGNIN: 'http://127.0.0.1:9/signin' },
    });
    expect(dead).toMatchObject({ status: 6, stdout: '' });
    expect(dead.stderr).toBe(
      'mfa-env: cannot reach AWS sign-in at http://127.0.0.1:9/signin/federation (ECONNREFUSED); check your network and endpoint settings\n',
    );

    f.server.failNext({ kind: 'http', status: 503 }, 3, 'getSigninToken');
    const busy = await f.run(['console', 'prod', '--print', '--no-input']);
    expect(busy).toMatchObject({ status: 6, stdout: '' });
    expect(busy.stderr).toMatch(
      /AWS sign-in at http:\/\/127\.0\.0\.1:\d+\/federation is not answering properly \(HTTP 503\); try again later/,
    );
    expect(f.server.callsOf('getSigninToken')).toHaveLength(3);

    f.server.failNext(
      { kind: 'error', status: 400, code: 'Bad', message: 'Invalid credentials parameter' },
      1,
      'getSigninToken',
    );
    const refused = await f.run(['console', 'prod', '--print', '--no-input']);
    expect(refused).toMatchObject({ status: 5, stdout: '' });
    expect(refused.stderr).toMatch(
      /refused to sign in with the session of profile "prod" \(HTTP 400\); run mfa-env console again with --refresh/,
    );

    f.server.failNext({ kind: 'huge', bytes: 2 << 20 }, 1, 'getSigninToken');
    const huge = await f.run(['console', 'prod', '--print', '--no-input']);
    expect(huge).toMatchObject({ status: 6, stdout: '' });
    expect(huge.stderr).toMatch(/answered getSigninToken with more than 1 MiB; not read/);
  });

  it('never shows the credentials, the token or the URL in a message, --debug included', async () => {
    const result = await f.run(['console', 'prod', '--print', '--debug', '-t', f.code()]);
    expect(result.status).toBe(0);
    const { token, grant } = decode(result.stdout);
    const role = f.server.issuedFor(grant!.accessKeyId)!;
    expect(result.stderr).toContain('getSigninToken at http://127.0.0.1');
    for (const secret of [
      token,
      role.secretAccessKey,
      role.sessionToken,
      role.accessKeyId,
      'SigninToken=',
      'Action=login',
      'Session=',
    ])
      expect(result.stderr).not.toContain(secret);
  });
});

describe('console for a user profile', () => {
  it('refuses, before any code or call, saying why and where the user signs in instead', async () => {
    const result = await f.run(['console', 'demo-user', '--print', '-t', f.code()]);
    expect(result).toMatchObject({ status: 3, stdout: '' });
    expect(result.stderr).toBe(
      'mfa-env: profile "demo-user" is an IAM user, and the console can be opened only for a role: AWS sign-in refuses MFA sessions (GetSessionToken), ' +
        "and GetFederationToken cannot carry MFA, so the MFA-enforcing policy would deny it; sign in with the user's password and MFA code at " +
        `https://${ACCOUNT}.signin.aws.amazon.com/console, or add a role profile (role_arn and source_profile = demo-user) and run mfa-env console with it\n`,
    );
    expect(f.server.calls).toEqual([]);
    // Why: the federation endpoint refuses the user's MFA session, as AWS does.
    const session = JSON.parse((await f.run(['demo-user', '--format', 'json', '-t', f.code()])).stdout) as Record<
      string,
      string
    >;
    const asked = await fetch(
      `${f.server.url}/federation?${new URLSearchParams({ Action: 'getSigninToken', Session: JSON.stringify({ sessionId: session.AccessKeyId, sessionKey: session.SecretAccessKey, sessionToken: session.SessionToken }) })}`,
    );
    expect(asked.status).toBe(400);
  });
});

describe('console opening the browser', () => {
  /** A stand-in for xdg-open: records its argv, fetches the URL twice as a browser would (once) and something else might (again). */
  function fakeOpener(): string {
    const out = join(f.home.home, 'browser.json');
    const script = `#!${process.execPath}
const http = require('node:http');
const get = (u) => new Promise((resolve) => http.get(u, (r) => { r.resume(); r.on('end', () => resolve({ status: r.statusCode, location: r.headers.location })); }).on('error', (e) => resolve({ error: e.code })));
(async () => {
  const result = { argv: process.argv.slice(2) };
  result.first = await get(process.argv[2]);
  result.second = await get(process.argv[2]);
  if (result.first.location) result.login = await get(result.first.location);
  require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(result));
})();
`;
    writeFileSync(join(f.home.home, 'bin', 'xdg-open'), script, { mode: 0o755 });
    return out;
  }

  async function waitForFile(path: string): Promise<string> {
    const deadline = Date.now() + 10_000;
    while (!existsSync(path)) {
      if (Date.now() > deadline) throw new Error(`${path} did not appear`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return readFileSync(path, 'utf8');
  }

  it('hands the browser a one-time loopback address that redirects to the sign-in URL: the URL is on no command line', async () => {
    const out = fakeOpener();
    const result = await f.run(['console', 'prod', '-t', f.code()]);
    expect(result).toMatchObject({ status: 0, stdout: '' });
    expect(result.stderr).toBe(
      `mfa-env: opened the AWS console as ${ADMIN_ROLE} (profile prod) in your browser (https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1)\n`,
    );
    const seen = JSON.parse(await waitForFile(out)) as {
      argv: string[];
      first: { status: number; location: string };
      second: { error?: string };
      login: { status: number; location: string };
    };
    expect(seen.argv).toEqual([expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/[\w-]{43}$/)]);
    expect(seen.first.status).toBe(302);
    const { grant, destination } = decode(seen.first.location);
    expect(f.server.issuedFor(grant!.accessKeyId)).toMatchObject({ action: 'AssumeRole', roleArn: ADMIN_ROLE });
    expect(seen.login).toEqual({ status: 302, location: destination });
    // Once served, the address is gone.
    expect(seen.second.error).toMatch(/^ECONN(REFUSED|RESET)$/);
  });

  it('fails with advice when there is no opener, or it fails', async () => {
    const none = await f.run(['console', 'prod', '-t', f.code()], { env: { PATH: join(f.home.home, 'bin') } });
    expect(none).toMatchObject({ status: 3, stdout: '' });
    expect(none.stderr).toBe(
      'mfa-env: cannot start xdg-open to open the browser (ENOENT); run mfa-env console PROFILE --print and open the URL yourself\n',
    );
    writeFileSync(join(f.home.home, 'bin', 'xdg-open'), '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    const failing = await f.run(['console', 'prod', '--no-input']);
    expect(failing).toMatchObject({ status: 3, stdout: '' });
    expect(failing.stderr).toBe(
      'mfa-env: xdg-open could not open the browser (exit 3); run mfa-env console PROFILE --print and open the URL yourself\n',
    );
  });
});
