// The package as users get it: packed as `npm pack` packs it (the manifest without install scripts, the prebuilt
// dist/), installed with `npm install -g` into a clean prefix. Nothing is built, no dev dependency comes along, and
// the installed mfa-env, its `init` lines and the shell files they point at work in bash, zsh and fish.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Fixture, startFixture } from '../support/fixture';

const ROOT = join(__dirname, '..', '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let dir: string;
let prefix: string;
let installLog: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mfa-env-install-'));
  // What `npm pack` takes (package.json's `files`), staged apart so that packing neither rebuilds nor touches the
  // checkout other tests are running from; prepack's own step (the manifest's install scripts taken out) is run here.
  const stage = join(dir, 'stage');
  mkdirSync(join(stage, 'scripts'), { recursive: true });
  for (const name of [
    'package.json',
    'LICENSE',
    'README.md',
    'SECURITY.md',
    'dist',
    'shell',
    'scripts/packManifest.js',
  ]) {
    cpSync(join(ROOT, name), join(stage, name), { recursive: true });
  }
  execFileSync(process.execPath, [join(stage, 'scripts', 'packManifest.js'), 'strip']);
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
      cwd: stage,
      encoding: 'utf8',
    }),
  ) as Array<{ filename: string }>;
  prefix = join(dir, 'prefix');
  // The registry is reachable in CI; the cache `npm ci` filled serves it first.
  const install = spawnSync(
    'npm',
    ['install', '-g', '--prefix', prefix, join(dir, packed.filename), '--no-audit', '--no-fund', '--prefer-offline'],
    {
      encoding: 'utf8',
      env: { ...process.env, npm_config_loglevel: 'warn' },
    },
  );
  installLog = `${install.stdout}${install.stderr}`;
  if (install.status !== 0) throw new Error(`npm install -g failed: ${installLog}`);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const installed = () => join(prefix, 'lib', 'node_modules', 'mfa-env');
const bin = () => join(prefix, 'bin', 'mfa-env');

it('installs without running or warning of any install script, and without the dev dependencies', () => {
  expect(installLog).not.toMatch(/install-scripts|prepare|esbuild|tsc/);
  // At run time mfa-env loads from node_modules only the OS keyring's native addon; everything else is in dist/.
  const modules = readdirSync(join(installed(), 'node_modules')).filter((name) => !name.startsWith('.'));
  expect(modules).toEqual(['@napi-rs']);
  expect(readdirSync(join(installed(), 'node_modules', '@napi-rs')).every((name) => name.startsWith('keyring'))).toBe(
    true,
  );
  expect(existsSync(join(installed(), 'src'))).toBe(false);
  expect(existsSync(join(installed(), 'dist', 'cli.js'))).toBe(true);
});

it('the installed command runs: --version, and the keyring addon loads from the installed package', () => {
  expect(execFileSync(bin(), ['--version'], { encoding: 'utf8' })).toBe(`${VERSION}\n`);
  // No Secret Service here on purpose: the addon must load (no "Cannot find module") and say what is missing.
  const keys = spawnSync(bin(), ['keys', 'list'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: dir, DBUS_SESSION_BUS_ADDRESS: '' },
  });
  expect(keys.stderr).not.toMatch(/Cannot find module| {4}at /);
  expect(keys).toMatchObject({ status: 3, stdout: '' });
});

describe('mfa-env init, from the installed package', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(() => f.stop());

  const env = () => ({ ...f.home.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}` });

  it.each([
    ['bash', ['bash', '--norc', '--noprofile', '-c']],
    ['zsh', ['zsh', '-f', '-c']],
    ['fish', ['fish', '--no-config', '-c']],
  ] as const)(
    '%s: the line points into the installed package, and the wrapper it loads exports a session',
    async (shell, argv) => {
      const line = execFileSync(bin(), ['init', shell], { encoding: 'utf8', env: env() });
      const file = join(installed(), 'shell', `mfa-env.${shell}`);
      expect(line).toBe(`source '${file}'\n`);
      // The first shell asks STS with a code; the others are served from the cache it filled.
      const code = shell === 'bash' ? ` -t ${f.code()}` : '';
      const script = `${line.trim()}; mfa-env demo-user${code}; echo "token=$AWS_SESSION_TOKEN"`;
      // Not spawnSync: the test STS server answers from this process.
      const result = await promisify(execFile)(argv[0], [...argv.slice(1), script], { encoding: 'utf8', env: env() });
      expect(result).toEqual({ stdout: `token=${f.server.issued[0].sessionToken}\n`, stderr: '' });
    },
  );
});
