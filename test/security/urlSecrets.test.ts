// A password in an endpoint URL (`http://user:password@proxy/`) is never printed (messages, --debug) and never
// stored: the fast path's memo keeps a digest of such a variable, which is all it needs to tell a change.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Fixture, startFixture } from '../support/fixture';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(() => f.stop());

const PASSWORD = 's3cr3tpw';
const withPassword = (url: string, password = PASSWORD) => url.replace('http://', `http://user:${password}@`);

function everythingStored(): string {
  const dir = f.home.env.MFA_ENV_CACHE_DIR;
  const files = [
    ...readdirSync(dir).map((n) => join(dir, n)),
    ...readdirSync(join(dir, 'plans')).map((n) => join(dir, 'plans', n)),
  ];
  return files
    .filter((p) => p.endsWith('.json'))
    .map((p) => readFileSync(p, 'utf8'))
    .join('\n');
}

it('AWS_ENDPOINT_URL_STS with a password: not in --debug, not in messages, not in the cache or the memos', async () => {
  const env = { AWS_ENDPOINT_URL_STS: withPassword(f.server.url) };
  const first = await f.run(['demo-user', '-t', f.code(), '--debug'], { env });
  expect(first.status).toBe(0);
  expect(first.stderr).toContain(`at ${f.server.url}`);
  const plain = await f.run(['demo-user'], { env });
  expect(plain.status).toBe(0);
  const stored = everythingStored();
  expect(stored).toContain('"AWS_ENDPOINT_URL_STS":{"sha256":"');
  for (const text of [first.stderr, plain.stderr, stored]) expect(text).not.toContain(PASSWORD);

  // A failing call names the endpoint without it too.
  await f.server.stop();
  const failed = await f.run(['demo-user', '--refresh', '-t', f.code(), '--timeout', '1'], { env });
  expect(failed.status).toBe(6);
  expect(failed.stderr).not.toContain(PASSWORD);
});

it('the memo still serves the fast path while the value is the same, and not once it changes', async () => {
  const env = { AWS_ENDPOINT_URL_STS: withPassword(f.server.url), MFA_ENV_DEBUG: '' };
  expect((await f.run(['demo-user', '-t', f.code()], { env })).status).toBe(0);
  // Served by the fast path (main.js, the full CLI, never loaded), with the full CLI's answer.
  const modules = join(f.home.home, 'modules');
  const recorder = join(__dirname, '..', 'support', 'recordModules.js');
  const fast = await f.run(['demo-user'], {
    env: { ...env, NODE_OPTIONS: `--require ${recorder}`, MFA_ENV_TEST_MODULES: modules },
  });
  expect(readFileSync(modules, 'utf8')).not.toMatch(/main\.js/);
  const full = await f.run(['demo-user'], { env: { ...env, MFA_ENV_NO_FAST_PATH: '1' } });
  expect(fast).toMatchObject({ status: 0, stdout: full.stdout });
  // Another password: another endpoint for all mfa-env knows, so neither the memo nor the session it points to
  // may serve it (were the memo compared on anything less than the whole value, the fast path would answer here).
  const other = await f.run(['demo-user', '--no-input'], {
    env: { AWS_ENDPOINT_URL_STS: withPassword(f.server.url, 'other') },
  });
  expect(other).toMatchObject({ status: 4, stdout: '' });
});
