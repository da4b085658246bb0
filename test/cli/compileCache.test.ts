// Compiled code for the bundles is kept in compiled/ of the session cache: by Node 22 and later itself
// (module.enableCompileCache, src/compileCache.ts), and on Node 20 as V8 code caches of mfa-env's own bundles
// (src/codeCache.ts). Only in a cache directory that is already there and trusted, never with MFA_ENV_NO_CACHE=1.
// The tests run the CLI with the Node that runs them (CI: 20, 22 and 24).
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_USER, type Fixture, startFixture } from '../support/fixture';

const [major, minor] = process.versions.node.split('.').map(Number);
const nodeCompiles = major > 22 || (major === 22 && minor >= 1);
// Coverage needs every function compiled afresh: on Node 20 no code cache is used under it.
const codeCaches = !nodeCompiles && !process.env.NODE_V8_COVERAGE;

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
  f.home.write({ config: `[profile demo-user]\nmfa_serial = ${DEMO_USER.serial}\nendpoint_url = ${f.server.url}` });
});
afterEach(() => f.stop());

const cacheDir = () => f.home.env.MFA_ENV_CACHE_DIR;
const compiled = () => join(cacheDir(), 'compiled');
/** Every file under compiled/, with its mode. */
const compiledFiles = () =>
  readdirSync(compiled(), { recursive: true, encoding: 'utf8' }).filter((p) => statSync(join(compiled(), p)).isFile());
const madeCacheDir = () => {
  mkdirSync(cacheDir(), { recursive: true, mode: 0o700 });
  chmodSync(cacheDir(), 0o700);
};
const session = async () => {
  const result = await f.run(['demo-user', '--no-cache', '-t', f.code()]);
  expect(result).toMatchObject({ status: 0, stderr: '' });
  expect(result.stdout).toContain('AWS_SESSION_TOKEN');
};

it(`keeps compiled code beside a cache directory that is there (Node ${process.versions.node})`, async () => {
  madeCacheDir();
  expect((await f.run(['list'])).status).toBe(0);
  if (!nodeCompiles && !codeCaches) {
    expect(existsSync(compiled())).toBe(false);
    return;
  }
  expect(statSync(compiled()).mode & 0o777).toBe(0o700);
  expect(compiledFiles().length).toBeGreaterThan(0);
  // A run that loads the SDK adds its bundle; the session still comes out as usual.
  const before = compiledFiles().length;
  await session();
  expect(compiledFiles().length).toBeGreaterThan(before);
});

(codeCaches ? describe : describe.skip)('on Node 20, the code caches of the bundles', () => {
  const caches = () => compiledFiles().filter((name) => /^(main|stsSdk)-[0-9a-f]{16}\.v8$/.test(name));
  it('are made once, 0600, then used as they are (not made again)', async () => {
    madeCacheDir();
    await session();
    expect(caches().sort()).toEqual([expect.stringMatching(/^main-/), expect.stringMatching(/^stsSdk-/)]);
    const made = Object.fromEntries(caches().map((n) => [n, statSync(join(compiled(), n))]));
    for (const stat of Object.values(made)) expect(stat.mode & 0o777).toBe(0o600);
    await session();
    for (const [name, stat] of Object.entries(made)) expect(statSync(join(compiled(), name)).ino).toBe(stat.ino);
  });

  it('one that is garbage, or that others may read, is not used: the bundle is compiled and the cache made anew', async () => {
    madeCacheDir();
    await session();
    const [main, sts] = caches().sort();
    writeFileSync(join(compiled(), main), 'not a code cache', { mode: 0o600 });
    chmodSync(join(compiled(), sts), 0o644);
    await session();
    expect(readFileSync(join(compiled(), main), 'utf8')).not.toBe('not a code cache');
    expect(statSync(join(compiled(), sts)).mode & 0o777).toBe(0o600);
  });

  it('a rebuilt bundle gets its own cache; those of earlier builds go', async () => {
    madeCacheDir();
    await session();
    const old = join(compiled(), 'main-0123456789abcdef.v8');
    writeFileSync(old, 'from an earlier build', { mode: 0o600 });
    rmSync(join(compiled(), caches().find((n) => n.startsWith('main-') && !n.startsWith('main-0123'))!));
    await session();
    expect(existsSync(old)).toBe(false);
    expect(caches().filter((n) => n.startsWith('main-'))).toHaveLength(1);
  });
});

it('makes no cache directory for compiled code alone', async () => {
  // --help loads the full CLI and keeps nothing else (`list` would keep its memo there).
  expect((await f.run(['--help'])).status).toBe(0);
  expect(existsSync(cacheDir())).toBe(false);
});

it('keeps none with MFA_ENV_NO_CACHE=1, nor in a cache directory others can write to', async () => {
  mkdirSync(cacheDir(), { recursive: true });
  chmodSync(cacheDir(), 0o700);
  expect((await f.run(['list'], { env: { MFA_ENV_NO_CACHE: '1' } })).status).toBe(0);
  expect(existsSync(compiled())).toBe(false);
  chmodSync(cacheDir(), 0o777);
  expect((await f.run(['list'])).status).toBe(0);
  expect(existsSync(compiled())).toBe(false);
});
