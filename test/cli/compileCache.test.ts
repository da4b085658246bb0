// Node 22 and later keep V8's compiled code for the bundles in compiled/ of the session cache (src/compileCache.ts):
// only in a cache directory that is already there and trusted, never with MFA_ENV_NO_CACHE=1. Node 20 has no
// compile cache: there, nothing is made. The tests run the CLI with the Node that runs them (CI: 20, 22 and 24).
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_USER, type Fixture, startFixture } from '../support/fixture';

const [major, minor] = process.versions.node.split('.').map(Number);
const nodeCompiles = major > 22 || (major === 22 && minor >= 1);

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

it(`${nodeCompiles ? 'keeps' : 'has no'} compiled code beside a cache directory that is there (Node ${process.versions.node})`, async () => {
  mkdirSync(cacheDir(), { recursive: true, mode: 0o700 });
  chmodSync(cacheDir(), 0o700);
  expect((await f.run(['list'])).status).toBe(0);
  if (!nodeCompiles) {
    expect(existsSync(compiled())).toBe(false);
    return;
  }
  expect(statSync(compiled()).mode & 0o777).toBe(0o700);
  expect(compiledFiles().length).toBeGreaterThan(0);
  // A run that loads the SDK adds its bundle; the session still comes out as usual.
  const before = compiledFiles().length;
  const result = await f.run(['demo-user', '-t', f.code()]);
  expect(result).toMatchObject({ status: 0, stderr: '' });
  expect(result.stdout).toContain('AWS_SESSION_TOKEN');
  expect(compiledFiles().length).toBeGreaterThan(before);
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
