// One endpoint resolution for every command and service (export, whoami, setup's IAM): the flag, the service's
// variable, AWS_ENDPOINT_URL, the profile's services section and endpoint_url, all but the flag dropped by
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS; and a failure names the service that failed.
import { writeFileSync } from 'node:fs';
import { DEMO_USER, type Fixture, startFixture } from '../support/fixture';
import { evalInShell } from '../support/shells';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(() => f.stop());

/** A port nothing listens on. */
const DEAD = 'http://127.0.0.1:9';

function setupConfig(lines: string): void {
  writeFileSync(f.home.configPath, `[profile demo-user]\nregion = eu-west-1\n${lines}`);
}

describe('setup (IAM)', () => {
  it('honours AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: the profile’s endpoint_url is not used', async () => {
    setupConfig(`endpoint_url = ${f.server.url}\n`);
    const result = await f.run(['setup', 'demo-user', '--yes', '--debug', '--timeout', '1'], {
      env: { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' },
    });
    expect(result).toMatchObject({ status: 6, stdout: '' });
    expect(result.stderr).toContain(
      'mfa-env: debug: ListMFADevices at iam.amazonaws.com with key ...MPLE (attempt 1)\n',
    );
    expect(f.server.calls).toEqual([]);
  });

  type Where = (url: string) => { args: string[]; env: Record<string, string>; lines: string };
  it.each<[string, Where]>([
    [
      '--endpoint-url above the profile',
      (url) => ({ args: ['--endpoint-url', url], env: {}, lines: `endpoint_url = ${DEAD}\n` }),
    ],
    [
      'AWS_ENDPOINT_URL_IAM above the profile',
      (url) => ({ args: [], env: { AWS_ENDPOINT_URL_IAM: url }, lines: `endpoint_url = ${DEAD}\n` }),
    ],
    [
      'AWS_ENDPOINT_URL_IAM above AWS_ENDPOINT_URL',
      (url) => ({ args: [], env: { AWS_ENDPOINT_URL_IAM: url, AWS_ENDPOINT_URL: DEAD }, lines: '' }),
    ],
    [
      'the iam entry of the profile’s services section',
      (url) => ({
        args: [],
        env: {},
        lines: `services = local\n\n[services local]\nsts =\n  endpoint_url = ${DEAD}\niam =\n  endpoint_url = ${url}\n`,
      }),
    ],
  ])('finds IAM by %s', async (_, where) => {
    const { args, env, lines } = where(f.server.url);
    setupConfig(lines);
    const result = await f.run(['setup', 'demo-user', '--yes', ...args], { env });
    expect(result).toMatchObject({ status: 0, stdout: '' });
    expect(f.server.callsOf('ListMFADevices')).toHaveLength(1);
  });

  it('AWS_ENDPOINT_URL_STS is STS’s, not IAM’s', async () => {
    setupConfig(`endpoint_url = ${f.server.url}\n`);
    expect((await f.run(['setup', 'demo-user', '--yes'], { env: { AWS_ENDPOINT_URL_STS: DEAD } })).status).toBe(0);
  });

  it('failures name IAM, not STS', async () => {
    setupConfig(`endpoint_url = ${f.server.url}\n`);
    f.server.failNext({ kind: 'http', status: 500 }, 3);
    const broken = await f.run(['setup', 'demo-user', '--yes', '--timeout', '2']);
    expect(broken).toMatchObject({ status: 6, stdout: '' });
    expect(broken.stderr).toMatch(
      new RegExp(
        `^mfa-env: IAM at ${f.server.url} is not answering properly \\(\\S+, HTTP 500\\); try again later\\n$`,
      ),
    );
    setupConfig(`endpoint_url = ${DEAD}\n`);
    const gone = await f.run(['setup', 'demo-user', '--yes', '--timeout', '2']);
    expect(gone.stderr).toBe(
      `mfa-env: cannot reach IAM at ${DEAD} (ECONNREFUSED); check your network, region and endpoint settings\n`,
    );
  });

  it('a bad --endpoint-url is a usage error', async () => {
    const result = await f.run(['setup', 'demo-user', '--yes', '--endpoint-url', 'ftp://x']);
    expect(result).toMatchObject({
      status: 2,
      stdout: '',
      stderr: 'mfa-env: --endpoint-url is "ftp://x", not an http(s) URL\nRun "mfa-env --help" for usage.\n',
    });
  });
});

describe('whoami (STS)', () => {
  const loadedShell = async () => evalInShell('bash', (await f.run(['demo-user', '-t', f.code()])).stdout, f.home.env);

  it('asks where the loaded profile’s session was made: its endpoint_url, with no variable set', async () => {
    const result = await f.run(['whoami'], { env: await loadedShell() });
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toContain(`Arn:     arn:aws:iam::${DEMO_USER.accountId}:user/demo-user\n`);
    expect(f.server.callsOf('GetCallerIdentity')).toHaveLength(1);
  });

  it('honours AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, from the variables and the profile alike', async () => {
    const env = {
      ...(await loadedShell()),
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
      AWS_ENDPOINT_URL_STS: f.server.url,
    };
    const result = await f.run(['whoami', '--debug', '--timeout', '1'], { env });
    expect(result).toMatchObject({ status: 6, stdout: '' });
    expect(result.stderr).toContain(
      `mfa-env: debug: GetCallerIdentity at sts.eu-west-1 with key ...${f.server.issued[0].accessKeyId.slice(-4)} (attempt 1)\n`,
    );
    expect(f.server.callsOf('GetCallerIdentity')).toHaveLength(0);
  });
});
