// A cache directory mfa-env refuses (another user's, one others can write to, a symlink) gets nothing written into
// it: no session, no lock, no plans/ for the fast path's memos. mfa-env still works, from STS, saying why once.
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Fixture, startFixture } from '../support/fixture';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(() => f.stop());

const NOBODY = 65534;
// Another user's directory takes root to make. CI runs as root; a run that cannot make one says so by failing.
const root = process.getuid?.() === 0;

describe.each([
  ['another user’s', (dir: string) => chownSync(dir, NOBODY, NOBODY), /it belongs to another user \(uid 65534\)/],
  ['writable by others (0777)', (dir: string) => chmodSync(dir, 0o777), /other users can write to it \(mode 777\)/],
  ['group-writable (0770)', (dir: string) => chmodSync(dir, 0o770), /other users can write to it \(mode 770\)/],
])('a cache directory that is %s', (_, spoil, why) => {
  it('gets nothing written into it, and the session still comes from STS', async () => {
    if (!root && spoil.toString().includes('chown'))
      throw new Error('this test needs root to give a directory to another user');
    const dir = f.home.env.MFA_ENV_CACHE_DIR;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    spoil(dir);
    for (let run = 0; run < 2; run++) {
      const result = await f.run(['demo-user', '-t', f.code(Date.now() + run * 30_000)]);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('export AWS_SESSION_TOKEN=');
      expect(result.stderr).toMatch(why);
    }
    expect(readdirSync(dir)).toEqual([]);
    expect(f.server.callsOf('GetSessionToken')).toHaveLength(2);
  });
});

it('a cache directory that is a symlink gets nothing written into it, nor into where it points', async () => {
  const elsewhere = mkdtempSync(join(tmpdir(), 'mfa-env-elsewhere-'));
  try {
    chmodSync(elsewhere, 0o700);
    const dir = f.home.env.MFA_ENV_CACHE_DIR;
    mkdirSync(join(dir, '..'), { recursive: true });
    symlinkSync(elsewhere, dir);
    const result = await f.run(['demo-user', '-t', f.code()]);
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/not using the session cache ".*": it is not a directory/);
    expect(readdirSync(elsewhere)).toEqual([]);
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

it('a plans/ that is not a directory of ours is not written into (the session is still cached)', async () => {
  const dir = f.home.env.MFA_ENV_CACHE_DIR;
  mkdirSync(join(dir, 'plans'), { recursive: true, mode: 0o777 });
  chmodSync(join(dir, 'plans'), 0o777);
  expect((await f.run(['demo-user', '-t', f.code()])).status).toBe(0);
  expect(readdirSync(join(dir, 'plans'))).toEqual([]);
  expect(readdirSync(dir).filter((n) => n.startsWith('mfa-'))).toHaveLength(1);
  expect(existsSync(join(dir, 'plans'))).toBe(true);
});
