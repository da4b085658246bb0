import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Fixture, startFixture } from '../support/fixture';
import { runCli } from '../support/runCli';
import { evalInShell } from '../support/shells';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
  // A second profile with another region, to export twice in a row.
  f.home.write({
    config:
      readFileSync(f.home.configPath, 'utf8') +
      `[profile second]\nmfa_serial = arn:aws:iam::123456789012:mfa/demo-user\nregion = us-east-2\nendpoint_url = ${f.server.url}\n`,
    credentials:
      readFileSync(f.home.credentialsPath, 'utf8') +
      readFileSync(f.home.credentialsPath, 'utf8').replace('[demo-user]', '[second]'),
  });
});
afterEach(() => f.stop());

describe('mfa-env --clear', () => {
  it.each(['bash', 'zsh', 'fish'] as const)(
    'gives back AWS_PROFILE and AWS_REGION as they were, after two exports, in %s',
    async (shell) => {
      const before = { ...f.home.env, AWS_PROFILE: "my 'work' profile", AWS_REGION: 'ap-south-1', KEEP: 'me' };
      let env: Record<string, string | undefined> = before;
      for (const profile of ['demo-user', 'second']) {
        const result = await f.run([profile, '-t', f.code(), '--shell', shell], { env });
        expect(result.status).toBe(0);
        env = evalInShell(shell, result.stdout, env);
      }
      expect(env).toMatchObject({
        MFA_ENV_PROFILE: 'second',
        AWS_REGION: 'us-east-2',
        MFA_ENV_SAVED_AWS_PROFILE: "my 'work' profile",
      });
      expect(env.AWS_PROFILE).toBeUndefined();
      const cleared = await f.run(['--clear', '--shell', shell], { env });
      expect(cleared.stderr).toBe('');
      expect(cleared.status).toBe(0);
      expect(evalInShell(shell, cleared.stdout, env)).toEqual(before);
    },
  );

  it('removes every variable it set when nothing was set before', async () => {
    const loaded = evalInShell('bash', (await f.run(['demo-user', '-t', f.code()])).stdout, f.home.env);
    const cleared = evalInShell('bash', (await f.run(['--clear'], { env: loaded })).stdout, loaded);
    expect(cleared).toEqual(f.home.env);
  });

  it('works with no AWS config at all and changes nothing of a shell with no session', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mfa-env-empty-'));
    try {
      const env = {
        PATH: process.env.PATH,
        HOME: home,
        AWS_CONFIG_FILE: join(home, 'missing'),
        AWS_ACCESS_KEY_ID: 'AKIAMINE',
      };
      const result = await runCli(['--clear'], { env });
      expect(result).toMatchObject({ status: 0, stderr: '' });
      expect(evalInShell('bash', result.stdout, env)).toEqual(env);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('refuses a profile, since it clears whatever is loaded', async () => {
    const result = await f.run(['--clear', 'demo-user']);
    expect(result).toMatchObject({ status: 2, stdout: '' });
    expect(result.stderr).toMatch(/--clear takes no profile/);
  });
});

// The SDK is bundled on its own into dist/stsSdk.js (the IAM client, for setup, comes from node_modules).
const isSdk = (m: string) => m.includes('@aws-sdk') || m.endsWith('/dist/stsSdk.js');

describe('the AWS SDK stays off the paths that do not call STS', () => {
  const modulesLoadedBy = async (args: string[]) => {
    const file = join(f.home.home, 'modules.txt');
    const result = await f.run(args, {
      env: {
        NODE_OPTIONS: `--require ${join(__dirname, '..', 'support', 'recordModules.js')}`,
        MFA_ENV_TEST_MODULES: file,
      },
    });
    expect(result.status).toBe(0);
    return readFileSync(file, 'utf8').split('\n');
  };

  it.each([[['--clear']], [['--clear', '--shell', 'fish']], [['--help']], [['--version']]])(
    '%j loads no @aws-sdk module',
    async (args) => {
      const modules = await modulesLoadedBy(args);
      expect(modules.some((m) => m.includes('/dist/cli.js'))).toBe(true);
      expect(modules.filter(isSdk)).toEqual([]);
    },
  );

  it('a session served from the cache loads no @aws-sdk module', async () => {
    expect((await f.run(['demo-user', '-t', f.code()])).status).toBe(0);
    const modules = await modulesLoadedBy(['demo-user']);
    expect(modules.filter(isSdk)).toEqual([]);
  });

  it('while a real export does load it (so the check above can fail)', async () => {
    const modules = await modulesLoadedBy(['demo-user', '-t', f.code()]);
    expect(modules.some(isSdk)).toBe(true);
  });
});
