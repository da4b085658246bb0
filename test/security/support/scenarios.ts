// Every way a run can fail, as data: errorPaths.test.ts checks the shape of each failure, leaks.test.ts that none
// of them shows a secret. Each scenario prepares a fresh fixture (files, faults) and says how to run mfa-env.
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sessionCacheNames } from '../../support/cacheDir';
import { ACCOUNT, DEMO_USER, type Fixture, startFixture } from '../../support/fixture';
import { Pty } from '../../support/pty';
import type { CliResult } from '../../support/runCli';
import type { StsFault } from '../../support/sts-server';
import { wrongCode } from './harness';

export const ROLE = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

export interface Invocation {
  args: string[];
  env?: Record<string, string>;
  stdin?: 'closed' | 'null' | string;
  /** Run in a pseudo-terminal, typing Ctrl-C at the MFA prompt. */
  ctrlC?: boolean;
}

export interface Scenario {
  name: string;
  /** The documented exit code (README, "Exit codes"). */
  exit: 2 | 3 | 4 | 5 | 6 | 130;
  usage?: boolean;
  /** Retried STS calls: retry notices may come before the error line. */
  retries?: boolean;
  /** Why the scenario cannot run here, if it cannot. */
  skip?: string;
  prepare(f: Fixture): Invocation | Promise<Invocation>;
}

/** The fixture the scenarios start from: the demo user, and role profiles on top of it. */
export async function scenarioFixture(): Promise<Fixture> {
  const f = await startFixture({
    roles: [
      { arn: ROLE('admin'), requireMfa: true },
      { arn: ROLE('partner'), requireMfa: true, externalId: 'partner-id-42' },
    ],
  });
  f.home.write({
    config:
      readFileSync(f.home.configPath, 'utf8') +
      roleProfile(f, 'admin', [`role_arn = ${ROLE('admin')}`, 'source_profile = demo-user']),
  });
  return f;
}

export function roleProfile(f: Fixture, name: string, lines: string[]): string {
  return `\n[profile ${name}]\n${lines.join('\n')}\nendpoint_url = ${f.server.url}\n`;
}

function addConfig(f: Fixture, text: string): void {
  f.home.write({ config: readFileSync(f.home.configPath, 'utf8') + text });
}

/** The demo user's profile with `lines` added to its config section. */
function demoUserWith(f: Fixture, lines: string[]): void {
  f.home.write({
    config: readFileSync(f.home.configPath, 'utf8').replace(
      '[profile demo-user]\n',
      `[profile demo-user]\n${lines.map((l) => `${l}\n`).join('')}`,
    ),
  });
}

function rolePlus(f: Fixture, lines: string[]): Invocation {
  addConfig(f, roleProfile(f, 'r', lines));
  return { args: ['r', '-t', f.code()] };
}

const isRoot = process.getuid?.() === 0;

function faulty(fault: StsFault, extra: string[] = []): (f: Fixture) => Invocation {
  return (f) => {
    f.server.failNext(fault, 10);
    return { args: ['demo-user', '-t', f.code(), ...extra] };
  };
}

export const SCENARIOS: Scenario[] = [
  // ---- 2: flags and arguments -----------------------------------------------------------------------------------
  { name: 'unknown flag', exit: 2, usage: true, prepare: () => ({ args: ['demo-user', '--nope'] }) },
  { name: 'unknown short flag', exit: 2, usage: true, prepare: () => ({ args: ['-Z'] }) },
  { name: 'two profiles', exit: 2, usage: true, prepare: () => ({ args: ['demo-user', 'other'] }) },
  { name: 'bad --shell', exit: 2, usage: true, prepare: () => ({ args: ['demo-user', '--shell', 'tcsh'] }) },
  { name: 'bad --format', exit: 2, usage: true, prepare: () => ({ args: ['demo-user', '--format', 'xml'] }) },
  {
    name: '--duration that is not a duration',
    exit: 2,
    usage: true,
    prepare: () => ({ args: ['demo-user', '-d', 'forever'] }),
  },
  { name: '--duration 1.5h', exit: 2, usage: true, prepare: () => ({ args: ['demo-user', '-d', '1.5h'] }) },
  { name: '--duration -5', exit: 2, usage: true, prepare: () => ({ args: ['demo-user', '-d', '-5'] }) },
  { name: '--duration empty', exit: 2, usage: true, prepare: () => ({ args: ['demo-user', '-d', ''] }) },
  { name: '--duration 0', exit: 2, usage: true, prepare: (f) => ({ args: ['demo-user', '-d', '0', '-t', f.code()] }) },
  {
    name: '--duration 10m (below 15m)',
    exit: 2,
    usage: true,
    prepare: (f) => ({ args: ['demo-user', '-d', '10m', '-t', f.code()] }),
  },
  {
    name: '--duration 37h (above 36h)',
    exit: 2,
    usage: true,
    prepare: (f) => ({ args: ['demo-user', '-d', '37h', '-t', f.code()] }),
  },
  {
    name: '--duration 13h on a role (above 12h)',
    exit: 2,
    usage: true,
    prepare: (f) => ({ args: ['admin', '-d', '13h', '-t', f.code()] }),
  },
  {
    name: '--duration 2h on a role reached through another role',
    exit: 2,
    usage: true,
    prepare: (f) => {
      addConfig(f, roleProfile(f, 'hop2', [`role_arn = ${ROLE('partner')}`, 'source_profile = admin']));
      return { args: ['hop2', '-d', '2h', '-t', f.code()] };
    },
  },
  { name: '--token-code of 5 digits', exit: 2, usage: true, prepare: () => ({ args: ['demo-user', '-t', '12345'] }) },
  { name: '--token-code of 7 digits', exit: 2, usage: true, prepare: () => ({ args: ['demo-user', '-t', '1234567'] }) },
  { name: '--token-code with letters', exit: 2, usage: true, prepare: () => ({ args: ['demo-user', '-t', '12a456'] }) },
  { name: '--clear with a profile', exit: 2, usage: true, prepare: () => ({ args: ['--clear', 'demo-user'] }) },
  { name: '--forget without --clear', exit: 2, usage: true, prepare: () => ({ args: ['--forget'] }) },
  {
    name: 'exec without a command',
    exit: 2,
    usage: true,
    prepare: (f) => ({ args: ['exec', 'demo-user', '-t', f.code()] }),
  },
  { name: 'exec without a profile', exit: 2, usage: true, prepare: () => ({ args: ['exec'] }) },
  { name: 'init with a bad shell', exit: 2, usage: true, prepare: () => ({ args: ['init', 'tcsh'] }) },
  { name: 'init without a shell', exit: 2, usage: true, prepare: () => ({ args: ['init'] }) },
  {
    name: '--timeout 0',
    exit: 2,
    usage: true,
    prepare: (f) => ({ args: ['demo-user', '-t', f.code(), '--timeout', '0'] }),
  },
  {
    name: '--timeout that is not a number',
    exit: 2,
    usage: true,
    prepare: (f) => ({ args: ['demo-user', '-t', f.code(), '--timeout', 'soon'] }),
  },
  {
    name: '--endpoint-url that is not a URL',
    exit: 2,
    usage: true,
    prepare: (f) => ({ args: ['demo-user', '-t', f.code(), '--endpoint-url', 'sts.example.com'] }),
  },
  {
    name: '--mfa-serial that is not a device',
    exit: 2,
    usage: true,
    prepare: (f) => ({ args: ['demo-user', '-t', f.code(), '--mfa-serial', 'my phone'] }),
  },

  // ---- 3: configuration -------------------------------------------------------------------------------------------
  {
    name: 'no config and no credentials file, a profile asked for',
    exit: 3,
    prepare: (f) => {
      rmSync(f.home.configPath);
      rmSync(f.home.credentialsPath);
      return { args: ['demo-user', '-t', f.code()] };
    },
  },
  {
    name: 'config file is a directory',
    exit: 3,
    prepare: (f) => {
      rmSync(f.home.configPath);
      mkdirSync(f.home.configPath);
      return { args: ['demo-user', '-t', f.code()] };
    },
  },
  {
    name: 'credentials file is a directory',
    exit: 3,
    prepare: (f) => {
      rmSync(f.home.credentialsPath);
      mkdirSync(f.home.credentialsPath);
      return { args: ['demo-user', '-t', f.code()] };
    },
  },
  {
    name: 'config file unreadable (not root)',
    exit: 3,
    skip: isRoot ? 'root reads any file' : undefined,
    prepare: (f) => {
      chmodSync(f.home.configPath, 0);
      return { args: ['demo-user', '-t', f.code()] };
    },
  },
  {
    name: 'AWS_CONFIG_FILE is a symlink loop',
    exit: 3,
    prepare: (f) => {
      const a = join(f.home.home, 'loop-a');
      symlinkSync(join(f.home.home, 'loop-b'), a);
      symlinkSync(a, join(f.home.home, 'loop-b'));
      return { args: ['demo-user', '-t', f.code()], env: { AWS_CONFIG_FILE: a } };
    },
  },
  {
    // What happens: the SDK's parser finds no section in either file, so the profile is unknown.
    name: 'both files garbage (text junk, binary junk): unknown profile',
    exit: 3,
    prepare: (f) => {
      writeFileSync(f.home.configPath, 'this is not ini ]]] [[[ ==== \n= = =\n[unterminated\n\u0000\u0001');
      writeFileSync(
        f.home.credentialsPath,
        Buffer.from([0xff, 0xfe, 0x00, 0x5b, 0x80, 0x81, 0x0a, 0xc3, 0x28, 0x5d, 0x1b, 0x5b, 0x32, 0x4a]),
      );
      return { args: ['demo-user', '-t', f.code()] };
    },
  },
  {
    // What happens: the config section is gone, the credentials one is fine: no mfa_serial.
    name: 'config file binary junk, credentials fine: no mfa_serial',
    exit: 3,
    prepare: (f) => {
      writeFileSync(f.home.configPath, Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37 + 11) % 256)));
      return { args: ['demo-user', '-t', f.code()] };
    },
  },
  {
    // The SDK's parser throws on this section name and its loader then drops the whole file: the profile is unknown.
    name: 'credentials file with a [__proto__] section: unknown profile',
    exit: 3,
    prepare: (f) => {
      f.home.write({
        credentials: `${readFileSync(f.home.credentialsPath, 'utf8')}\n[__proto__]\naws_access_key_id = AKIAPROTO00000000000\n`,
      });
      return { args: ['demo-user', '-t', f.code()] };
    },
  },
  { name: 'unknown profile', exit: 3, prepare: (f) => ({ args: ['nobody', '-t', f.code()] }) },
  {
    name: 'unknown profile from AWS_PROFILE',
    exit: 3,
    prepare: (f) => ({ args: ['-t', f.code()], env: { AWS_PROFILE: 'nobody' } }),
  },
  {
    name: 'profile without keys',
    exit: 3,
    prepare: (f) => {
      f.home.write({ credentials: '' });
      return { args: ['demo-user', '-t', f.code()] };
    },
  },
  {
    name: 'profile without a secret key',
    exit: 3,
    prepare: (f) => {
      f.home.write({ credentials: `[demo-user]\naws_access_key_id = ${DEMO_USER.accessKeyId}\n` });
      return { args: ['demo-user', '-t', f.code()] };
    },
  },
  {
    name: 'profile with only temporary keys',
    exit: 3,
    prepare: (f) => {
      f.home.write({
        credentials: `[demo-user]\naws_access_key_id = ASIATEMPORARY0000000\naws_secret_access_key = temp-secret-value\naws_session_token = temp-token-value\n`,
      });
      return { args: ['demo-user', '-t', f.code()] };
    },
  },
  {
    name: 'access key id that is not one',
    exit: 3,
    prepare: (f) => {
      f.home.write({
        credentials: `[demo-user]\naws_access_key_id = ${DEMO_USER.secretAccessKey}\naws_secret_access_key = ${DEMO_USER.accessKeyId}\n`,
      });
      return { args: ['demo-user', '-t', f.code()] };
    },
  },
  {
    name: 'profile without mfa_serial',
    exit: 3,
    prepare: (f) => {
      f.home.write({ config: `[profile demo-user]\nendpoint_url = ${f.server.url}\n` });
      return { args: ['demo-user', '-t', f.code()] };
    },
  },
  {
    name: 'bad mfa_serial',
    exit: 3,
    prepare: (f) => {
      f.home.write({
        config: readFileSync(f.home.configPath, 'utf8').replace(
          `mfa_serial = ${DEMO_USER.serial}`,
          'mfa_serial = my phone',
        ),
      });
      return { args: ['demo-user', '-t', f.code()] };
    },
  },
  {
    name: 'bad region',
    exit: 3,
    prepare: (f) => {
      f.home.write({
        config: readFileSync(f.home.configPath, 'utf8').replace('region = eu-west-1', 'region = Europe (Ireland)'),
      });
      return { args: ['demo-user', '-t', f.code()] };
    },
  },
  {
    name: 'bad role_arn',
    exit: 3,
    prepare: (f) => rolePlus(f, ['role_arn = arn:aws:iam::123456789012:user/admin', 'source_profile = demo-user']),
  },
  {
    name: 'bad role_session_name',
    exit: 3,
    prepare: (f) =>
      rolePlus(f, [`role_arn = ${ROLE('admin')}`, 'source_profile = demo-user', 'role_session_name = alice smith']),
  },
  {
    name: 'bad external_id',
    exit: 3,
    prepare: (f) => rolePlus(f, [`role_arn = ${ROLE('partner')}`, 'source_profile = demo-user', 'external_id = x']),
  },
  {
    name: 'duration_seconds that is not a number',
    exit: 3,
    prepare: (f) =>
      rolePlus(f, [`role_arn = ${ROLE('admin')}`, 'source_profile = demo-user', 'duration_seconds = 1 hour']),
  },
  {
    name: 'duration_seconds out of range on a role',
    exit: 3,
    prepare: (f) => rolePlus(f, [`role_arn = ${ROLE('admin')}`, 'source_profile = demo-user', 'duration_seconds = 60']),
  },
  {
    name: 'duration_seconds out of range on a user',
    exit: 3,
    prepare: (f) => {
      demoUserWith(f, ['duration_seconds = 999999']);
      return { args: ['demo-user', '-t', f.code()] };
    },
  },
  {
    name: 'source_profile loop',
    exit: 3,
    prepare: (f) => {
      addConfig(
        f,
        roleProfile(f, 'loop-a', [`role_arn = ${ROLE('admin')}`, 'source_profile = loop-b']) +
          roleProfile(f, 'loop-b', [`role_arn = ${ROLE('admin')}`, 'source_profile = loop-a']),
      );
      return { args: ['loop-a', '-t', f.code()] };
    },
  },
  {
    name: 'source_profile that does not exist',
    exit: 3,
    prepare: (f) => rolePlus(f, [`role_arn = ${ROLE('admin')}`, 'source_profile = ghost']),
  },
  { name: 'role_arn without source_profile', exit: 3, prepare: (f) => rolePlus(f, [`role_arn = ${ROLE('admin')}`]) },
  {
    name: 'credential_source instead of source_profile',
    exit: 3,
    prepare: (f) => rolePlus(f, [`role_arn = ${ROLE('admin')}`, 'credential_source = Ec2InstanceMetadata']),
  },
  {
    name: 'bad endpoint_url in the profile',
    exit: 3,
    prepare: (f) => {
      f.home.write({
        config: readFileSync(f.home.configPath, 'utf8').replace(
          `endpoint_url = ${f.server.url}`,
          'endpoint_url = ftp://sts.example.com',
        ),
      });
      return { args: ['demo-user', '-t', f.code()] };
    },
  },
  {
    name: 'bad AWS_ENDPOINT_URL_STS',
    exit: 3,
    prepare: (f) => ({ args: ['demo-user', '-t', f.code()], env: { AWS_ENDPOINT_URL_STS: 'ftp://sts.example.com' } }),
  },
  {
    name: 'AWS_ENDPOINT_URL that is not a URL',
    exit: 3,
    prepare: (f) => ({ args: ['demo-user', '-t', f.code()], env: { AWS_ENDPOINT_URL: 'not a url' } }),
  },
  {
    name: 'bad MFA_ENV_MIN_TTL',
    exit: 3,
    prepare: (f) => ({ args: ['demo-user', '-t', f.code()], env: { MFA_ENV_MIN_TTL: 'a while' } }),
  },
  {
    name: 'bad AWS_REGION',
    exit: 3,
    prepare: (f) => ({ args: ['demo-user', '-t', f.code()], env: { AWS_REGION: 'Mars!' } }),
  },
  {
    name: 'bad AWS_DEFAULT_REGION',
    exit: 3,
    prepare: (f) => ({ args: ['demo-user', '-t', f.code()], env: { AWS_DEFAULT_REGION: 'eu west 1' } }),
  },
  {
    name: '--write-profile onto the profile with the keys',
    exit: 3,
    prepare: (f) => ({ args: ['demo-user', '-t', f.code(), '--write-profile', 'demo-user'] }),
  },

  // ---- 4: no MFA code -------------------------------------------------------------------------------------------
  { name: 'no terminal, no stdin', exit: 4, prepare: () => ({ args: ['demo-user'], stdin: 'closed' }) },
  { name: 'no terminal, stdin /dev/null', exit: 4, prepare: () => ({ args: ['demo-user'], stdin: 'null' }) },
  { name: 'no terminal, empty pipe', exit: 4, prepare: () => ({ args: ['demo-user'], stdin: '' }) },
  {
    name: 'garbage on stdin',
    exit: 4,
    prepare: () => ({ args: ['demo-user'], stdin: '\u001b[31mnot a code\u0000\u0007 $(rm -rf ~)\n' }),
  },
  { name: 'binary junk on stdin', exit: 4, prepare: () => ({ args: ['demo-user'], stdin: 'x'.repeat(5000) }) },
  { name: '--no-input', exit: 4, prepare: () => ({ args: ['demo-user', '--no-input'] }) },
  {
    name: 'mfa_process failing',
    exit: 4,
    prepare: (f) => {
      demoUserWith(f, ['mfa_process = exit 7']);
      return { args: ['demo-user'], stdin: 'closed' };
    },
  },
  {
    name: 'mfa_process printing something else than a code',
    exit: 4,
    prepare: (f) => {
      // What the command prints (here: the secret key, as a confused password manager might) is never shown back.
      writeFileSync(join(f.home.home, 'otp-output'), `${DEMO_USER.secretAccessKey}\n`);
      demoUserWith(f, [`mfa_process = cat ${join(f.home.home, 'otp-output')}`]);
      return { args: ['demo-user'], stdin: 'closed' };
    },
  },
  {
    name: '--mfa-process failing',
    exit: 4,
    prepare: () => ({ args: ['demo-user', '--mfa-process', 'false'], stdin: 'closed' }),
  },

  // ---- 5: STS refused ----------------------------------------------------------------------------------------------
  { name: 'wrong MFA code', exit: 5, prepare: (f) => ({ args: ['demo-user', '-t', wrongCode(f.code())] }) },
  {
    name: 'unknown access key',
    exit: 5,
    prepare: (f) => {
      f.home.write({
        credentials: `[demo-user]\naws_access_key_id = AKIAUNKNOWN000000000\naws_secret_access_key = ${DEMO_USER.secretAccessKey}\n`,
      });
      return { args: ['demo-user', '-t', f.code()] };
    },
  },
  {
    name: 'wrong secret key',
    exit: 5,
    prepare: (f) => {
      f.home.write({
        credentials: `[demo-user]\naws_access_key_id = ${DEMO_USER.accessKeyId}\naws_secret_access_key = ${DEMO_USER.secretAccessKey.replace('K7', 'X9')}\n`,
      });
      return { args: ['demo-user', '-t', f.code()] };
    },
  },
  {
    name: 'MFA device not the user’s',
    exit: 5,
    prepare: (f) => ({
      args: ['demo-user', '-t', f.code(), '--mfa-serial', `arn:aws:iam::${ACCOUNT}:mfa/someone-else`],
    }),
  },
  // The MFA session is issued (a secret exists) before the role is refused.
  {
    name: 'role not assumable (AccessDenied)',
    exit: 5,
    prepare: (f) => rolePlus(f, [`role_arn = ${ROLE('not-trusting-you')}`, 'source_profile = demo-user']),
  },
  {
    name: 'external id mismatch (AccessDenied)',
    exit: 5,
    prepare: (f) =>
      rolePlus(f, [`role_arn = ${ROLE('partner')}`, 'source_profile = demo-user', 'external_id = wrong-id']),
  },
  {
    name: 'role duration above its maximum',
    exit: 5,
    prepare: (f) => ({ args: ['admin', '-t', f.code(), '-d', '2h'] }),
  },
  {
    name: 'a role renewed from a cached MFA session STS no longer accepts, then a wrong code',
    exit: 5,
    prepare: async (f) => {
      const first = await f.run(['demo-user', '-t', f.code()]);
      if (first.status !== 0) throw new Error(first.stderr);
      // STS forgets the cached session, as after a revocation; the cache still holds its (now useless) secrets.
      const dir = f.home.env.MFA_ENV_CACHE_DIR;
      for (const name of sessionCacheNames(dir)) {
        const entry = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, string>;
        writeFileSync(
          join(dir, name),
          JSON.stringify({
            ...entry,
            accessKeyId: 'ASIAREVOKED000000000',
            secretAccessKey: 'revoked/secret+KEY0000000000000000000000',
            sessionToken: `IQoJrevoked${'t'.repeat(200)}`,
          }),
          { mode: 0o600 },
        );
      }
      return { args: ['admin', '-t', wrongCode(f.code())] };
    },
  },

  // ---- 6: STS unreachable or answering nonsense -------------------------------------------------------------------
  {
    name: 'STS refuses connections',
    exit: 6,
    prepare: (f) => ({ args: ['demo-user', '-t', f.code()], env: { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:1' } }),
  },
  { name: 'STS answers HTTP 500 every time', exit: 6, retries: true, prepare: faulty({ kind: 'http', status: 500 }) },
  { name: 'STS answers HTTP 503 every time', exit: 6, retries: true, prepare: faulty({ kind: 'http', status: 503 }) },
  { name: 'STS throttles every time', exit: 6, retries: true, prepare: faulty({ kind: 'throttle' }) },
  { name: 'STS resets every connection', exit: 6, retries: true, prepare: faulty({ kind: 'reset' }) },
  { name: 'STS answers malformed XML', exit: 6, retries: true, prepare: faulty({ kind: 'malformed' }) },
  { name: 'STS answers truncated XML', exit: 6, retries: true, prepare: faulty({ kind: 'truncated' }) },
  { name: 'STS hangs, --timeout 1', exit: 6, retries: true, prepare: faulty({ kind: 'hang' }, ['--timeout', '1']) },

  // ---- 130: interrupted ------------------------------------------------------------------------------------------
  { name: 'Ctrl-C at the MFA prompt', exit: 130, prepare: () => ({ args: ['demo-user'], ctrlC: true }) },
];

/** Runs a scenario's invocation; a Ctrl-C one in a pseudo-terminal, with stdout and stderr sent to files. */
export async function runInvocation(f: Fixture, inv: Invocation): Promise<CliResult> {
  if (!inv.ctrlC) return f.run(inv.args, { env: inv.env, stdin: inv.stdin ?? 'null' });
  const dir = mkdtempSync(join(tmpdir(), 'mfa-env-ctrlc-'));
  const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  const pty = new Pty(`mfa-env ${inv.args.map(quote).join(' ')} >${dir}/out 2>${dir}/err; echo "status=$?"`, {
    env: { ...f.home.env, ...inv.env },
  });
  try {
    await pty.waitFor('MFA code for');
    pty.type('12\x03');
    const shown = await pty.waitFor(/status=\d+/);
    return {
      status: Number(/status=(\d+)/.exec(shown)![1]),
      signal: null,
      stdout: readFileSync(join(dir, 'out'), 'utf8'),
      stderr: readFileSync(join(dir, 'err'), 'utf8'),
    };
  } finally {
    pty.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every secret the run could have seen: the long-term secret key, and every secret and token issued or cached. */
export function knownSecrets(f: Fixture, extra: string[] = []): string[] {
  const secrets = new Set<string>([DEMO_USER.secretAccessKey, ...extra]);
  for (const issued of f.server.issued) secrets.add(issued.secretAccessKey).add(issued.sessionToken);
  for (const entry of cachedEntries(f)) {
    if (typeof entry.secretAccessKey === 'string') secrets.add(entry.secretAccessKey);
    if (typeof entry.sessionToken === 'string') secrets.add(entry.sessionToken);
  }
  return [...secrets];
}

/** The parseable entries of the fixture's cache directory. */
export function cachedEntries(f: Fixture): Array<Record<string, unknown>> {
  const dir = f.home.env.MFA_ENV_CACHE_DIR;
  const out: Array<Record<string, unknown>> = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    try {
      out.push(JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>);
    } catch {
      // not an entry
    }
  }
  return out;
}
