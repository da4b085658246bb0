import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ConfigError } from '../../../src/errors';
import {
  type CachedSession,
  type CacheKey,
  type CacheOptions,
  credentialsOf,
  memoryStore,
  SessionCache,
} from '../../../src/session/cache';
import { cacheDir, cacheDisabled, DEFAULT_MIN_TTL_SECONDS, minTtlSeconds } from '../../../src/session/cacheSettings';
import { itNeeding, missingRoot } from '../../support/requirements';

// CI runs as root, which lets these tests hand files to another user to simulate foreign ownership; those that need
// it fail there if it does not.
const UID = process.geteuid!();
const OTHER_UID = 12345;
const asRoot = itNeeding(missingRoot('only root can hand a file to another user'));

const NOW = Date.parse('2030-01-01T00:00:00Z');
const MIN_TTL = 300;

// Distinctive values: none of them may show up in a file name.
const ACCESS_KEY_ID = 'AKIADISTINCTIVE12345';
const SERIAL = 'arn:aws:iam::123456789012:mfa/very-distinctive-device';
const ROLE_ARN = 'arn:aws:iam::210987654321:role/DistinctiveRole';

const MFA_KEY: CacheKey = {
  kind: 'mfa',
  parts: { accessKeyId: ACCESS_KEY_ID, mfaSerial: SERIAL, sts: 'aws', durationSeconds: 43200 },
};
const ROLE_KEY: CacheKey = {
  kind: 'role',
  parts: {
    accessKeyId: ACCESS_KEY_ID,
    mfaSerial: SERIAL,
    sts: 'aws',
    durationSeconds: 43200,
    roles: [[ROLE_ARN, null, null, 3600]],
  },
};
const OTHER_KEY: CacheKey = {
  kind: 'mfa',
  parts: { accessKeyId: 'AKIAOTHER00000000000', mfaSerial: SERIAL, sts: 'aws', durationSeconds: 43200 },
};

const FILE_NAME = /^(mfa|role)-[0-9a-f]{32}\.json$/;

let root: string;
let dir: string;
let warnings: string[];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mfa-env-cache-test-'));
  dir = join(root, 'cache');
  warnings = [];
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function cache(options: Partial<CacheOptions> = {}): SessionCache {
  return new SessionCache({
    dir,
    minTtlSeconds: MIN_TTL,
    uid: UID,
    warn: (m) => warnings.push(m),
    now: () => NOW,
    ...options,
  });
}

/** An entry with `secondsLeft` seconds to go at NOW. */
function entry(secondsLeft = 3600, over: Partial<CachedSession> = {}): CachedSession {
  return {
    version: 1,
    kind: 'mfa',
    profile: 'alice',
    sourceProfile: 'alice',
    mfaSerial: SERIAL,
    accessKeyId: 'ASIATEMPORARY0000000',
    secretAccessKey: 'temporary-secret',
    sessionToken: 'temporary-token',
    expiration: new Date(NOW + secondsLeft * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    createdAt: new Date(NOW - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...over,
  };
}

/** A cache directory made by hand (0700, ours) holding `files` (each 0600 unless told). */
function prepareDir(mode = 0o700): void {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, mode);
}

function writeEntryFile(file: string, content: string | CachedSession, mode = 0o600): void {
  writeFileSync(file, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  chmodSync(file, mode);
}

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

function withUmask(mask: number, body: () => void): void {
  const old = process.umask(mask);
  try {
    body();
  } finally {
    process.umask(old);
  }
}

describe('SessionCache.put', () => {
  it.each([
    ['000', 0],
    ['022', 0o022],
    ['077', 0o077],
  ])('makes the directory 0700 and the file 0600 under umask %s', (_name, mask) => {
    withUmask(mask, () => cache().put(MFA_KEY, entry()));
    expect(modeOf(dir)).toBe(0o700);
    const file = cache().fileFor(MFA_KEY);
    expect(modeOf(file)).toBe(0o600);
    expect(lstatSync(file).isFile()).toBe(true);
    expect(warnings).toEqual([]);
  });

  it('makes missing parent directories too, none of them open to others', () => {
    dir = join(root, 'xdg', 'deeper', 'mfa-env');
    withUmask(0, () => cache().put(MFA_KEY, entry()));
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(join(root, 'xdg')) & 0o022).toBe(0);
    expect(modeOf(join(root, 'xdg', 'deeper')) & 0o022).toBe(0);
    expect(cache().fresh(MFA_KEY)).toEqual(entry());
  });

  it('names files by a hash of the key, so no value of the key shows', () => {
    const c = cache();
    c.put(MFA_KEY, entry());
    c.put(ROLE_KEY, entry(3600, { kind: 'role', roleArn: ROLE_ARN }));
    const names = readdirSync(dir).sort();
    expect(names).toHaveLength(2);
    for (const name of names) {
      expect(name).toMatch(FILE_NAME);
      for (const value of [
        ACCESS_KEY_ID,
        SERIAL,
        ROLE_ARN,
        'DistinctiveRole',
        'very-distinctive-device',
        '123456789012',
        '210987654321',
        'AKIA',
      ]) {
        expect(name).not.toContain(value);
      }
    }
    expect(basename(c.fileFor(MFA_KEY))).toMatch(/^mfa-[0-9a-f]{32}\.json$/);
    expect(basename(c.fileFor(ROLE_KEY))).toMatch(/^role-[0-9a-f]{32}\.json$/);
    expect(c.fileFor(MFA_KEY)).not.toBe(c.fileFor(OTHER_KEY));
    // Same key, same file: a later call finds what an earlier one saved.
    expect(c.fileFor({ kind: 'mfa', parts: { ...MFA_KEY.parts } })).toBe(c.fileFor(MFA_KEY));
  });

  it('writes what fresh() reads back', () => {
    const e = entry(3600, { kind: 'role', roleArn: ROLE_ARN, profile: 'admin' });
    cache().put(ROLE_KEY, e);
    expect(cache().fresh(ROLE_KEY)).toEqual(e);
    expect(credentialsOf(e)).toEqual({
      accessKeyId: e.accessKeyId,
      secretAccessKey: e.secretAccessKey,
      sessionToken: e.sessionToken,
      expiration: new Date(NOW + 3600_000),
    });
  });

  it('leaves no temporary files behind', () => {
    const c = cache();
    c.put(MFA_KEY, entry());
    c.put(MFA_KEY, entry(7200));
    c.put(ROLE_KEY, entry(3600, { kind: 'role', roleArn: ROLE_ARN }));
    const names = readdirSync(dir);
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(names.every((n) => FILE_NAME.test(n))).toBe(true);
    expect(names).toHaveLength(2);
  });

  it('replaces an existing file by renaming a new one over it, not by rewriting it in place', () => {
    const c = cache();
    c.put(MFA_KEY, entry(3600));
    const file = c.fileFor(MFA_KEY);
    const before = statSync(file).ino;
    c.put(MFA_KEY, entry(7200));
    expect(statSync(file).ino).not.toBe(before);
    expect(cache().fresh(MFA_KEY)).toEqual(entry(7200));
    expect(modeOf(file)).toBe(0o600);
  });

  it('warns and does not throw when the directory cannot be made', () => {
    writeFileSync(join(root, 'plain-file'), 'not a directory');
    dir = join(root, 'plain-file', 'mfa-env');
    const c = cache();
    expect(() => c.put(MFA_KEY, entry())).not.toThrow();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(JSON.stringify(dir));
    expect(warnings[0]).toMatch(/cannot create the session cache/);
    expect(c.fresh(MFA_KEY)).toBeUndefined();
    expect(c.entries()).toEqual([]);
    expect(c.forget()).toBe(0);
  });
});

describe('SessionCache.fresh', () => {
  it('finds nothing, quietly, when the directory does not exist yet', () => {
    expect(cache().fresh(MFA_KEY)).toBeUndefined();
    expect(existsSync(dir)).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('serves an entry with at least the minimum time left', () => {
    cache().put(MFA_KEY, entry(MIN_TTL));
    expect(cache().fresh(MFA_KEY)).toEqual(entry(MIN_TTL));
    expect(cache().fresh(MFA_KEY)!.accessKeyId).toBe('ASIATEMPORARY0000000');
    expect(cache({ now: () => NOW - 1000 }).fresh(MFA_KEY)).toEqual(entry(MIN_TTL));
  });

  it('does not serve an entry with less than the minimum left, or one that has expired', () => {
    cache().put(MFA_KEY, entry(MIN_TTL));
    expect(cache({ now: () => NOW + 1000 }).fresh(MFA_KEY)).toBeUndefined();
    expect(cache({ now: () => NOW + 1 }).fresh(MFA_KEY)).toBeUndefined();
    expect(cache({ now: () => NOW + MIN_TTL * 1000 }).fresh(MFA_KEY)).toBeUndefined();
    expect(cache({ now: () => NOW + (MIN_TTL + 3600) * 1000 }).fresh(MFA_KEY)).toBeUndefined();
    // The clock decides, not the entry: the same file serves again once the minimum is lowered.
    expect(cache({ now: () => NOW + 1000, minTtlSeconds: 60 }).fresh(MFA_KEY)).toEqual(entry(MIN_TTL));
    expect(warnings).toEqual([]);
  });

  it('does not serve an expired entry even when no minimum is asked for', () => {
    cache().put(MFA_KEY, entry(-10));
    expect(cache({ minTtlSeconds: 0 }).fresh(MFA_KEY)).toBeUndefined();
  });

  it('tells how many seconds an entry has left', () => {
    expect(cache().secondsLeft(entry(1234))).toBe(1234);
    expect(cache().secondsLeft(entry(-5))).toBe(-5);
  });

  it('finds only the entry of its own key', () => {
    cache().put(MFA_KEY, entry());
    expect(cache().fresh(OTHER_KEY)).toBeUndefined();
    expect(cache().fresh(ROLE_KEY)).toBeUndefined();
  });
});

describe('untrustworthy cache files', () => {
  const valid = entry();

  it.each([
    ['garbage', '\u0000\u0001 not json at all ]]'],
    ['truncated JSON', JSON.stringify(valid, null, 2).slice(0, 80)],
    ['JSON missing a field', JSON.stringify({ ...valid, sessionToken: undefined })],
    ['JSON with an empty field', JSON.stringify({ ...valid, secretAccessKey: '' })],
    ['the wrong version', JSON.stringify({ ...valid, version: 2 })],
    ['an unknown kind', JSON.stringify({ ...valid, kind: 'sso' })],
    ['an expiration that is not a date', JSON.stringify({ ...valid, expiration: 'tomorrow' })],
    ['a JSON array', JSON.stringify([valid])],
    ['JSON null', 'null'],
    ['an empty file', ''],
  ])('ignores a file holding %s with one warning, and put() replaces it', (_what, content) => {
    prepareDir();
    const c = cache();
    const file = c.fileFor(MFA_KEY);
    writeEntryFile(file, content);
    expect(c.fresh(MFA_KEY)).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(JSON.stringify(file));
    expect(warnings[0]).toMatch(/corrupt/);

    c.put(MFA_KEY, valid);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(valid);
    expect(cache().fresh(MFA_KEY)).toEqual(valid);
    expect(warnings).toHaveLength(1);
  });

  asRoot('ignores a file that belongs to another user', () => {
    prepareDir();
    const c = cache();
    const file = c.fileFor(MFA_KEY);
    writeEntryFile(file, valid);
    chownSync(file, OTHER_UID, OTHER_UID);
    expect(c.fresh(MFA_KEY)).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(JSON.stringify(file));
    expect(warnings[0]).toMatch(/belongs to another user \(uid 12345\)/);
  });

  it.each([
    ['644', 0o644],
    ['640', 0o640],
    ['604', 0o604],
    ['660', 0o660],
  ])('ignores a file with mode %s, which lets others read it', (_name, mode) => {
    prepareDir();
    const c = cache();
    const file = c.fileFor(MFA_KEY);
    writeEntryFile(file, valid, mode);
    expect(c.fresh(MFA_KEY)).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(JSON.stringify(file));
    expect(warnings[0]).toContain(`its mode ${mode.toString(8)} lets other users read it`);
  });

  it('accepts a file with a narrower mode than 0600', () => {
    prepareDir();
    const file = cache().fileFor(MFA_KEY);
    writeEntryFile(file, valid, 0o400);
    expect(cache().fresh(MFA_KEY)).toEqual(valid);
    expect(warnings).toEqual([]);
  });

  it('ignores a symlink in place of a cache file, even to a valid-looking entry', () => {
    prepareDir();
    const elsewhere = join(root, 'planted.json');
    writeEntryFile(elsewhere, valid);
    const c = cache();
    const file = c.fileFor(MFA_KEY);
    symlinkSync(elsewhere, file);
    expect(c.fresh(MFA_KEY)).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(JSON.stringify(file));
    expect(warnings[0]).toMatch(/symlink/);
    // put() replaces the link itself and leaves its target alone.
    c.put(MFA_KEY, entry(7200));
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
    expect(JSON.parse(readFileSync(elsewhere, 'utf8'))).toEqual(valid);
    expect(cache().fresh(MFA_KEY)).toEqual(entry(7200));
  });

  it('ignores a directory in place of a cache file', () => {
    prepareDir();
    const c = cache();
    mkdirSync(c.fileFor(MFA_KEY), { mode: 0o700 });
    expect(c.fresh(MFA_KEY)).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/not a regular file/);
  });
});

describe('the cache directory', () => {
  /** A directory holding a valid entry for MFA_KEY, then made untrustworthy by `spoil`. */
  function spoiledDir(spoil: () => void): string {
    prepareDir();
    const file = cache().fileFor(MFA_KEY);
    writeEntryFile(file, entry());
    spoil();
    return file;
  }

  function expectUnused(file: string, problem: RegExp): void {
    const c = cache();
    const before = readdirSync(dir).sort();
    expect(c.fresh(MFA_KEY)).toBeUndefined();
    c.put(OTHER_KEY, entry());
    c.put(MFA_KEY, entry(7200));
    expect(c.entries()).toEqual([]);
    expect(c.forget()).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(entry());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`not using the session cache ${JSON.stringify(dir)}`);
    expect(warnings[0]).toMatch(problem);
  }

  asRoot('is not used when it belongs to another user', () => {
    const file = spoiledDir(() => chownSync(dir, OTHER_UID, OTHER_UID));
    expectUnused(file, /belongs to another user \(uid 12345\)/);
  });

  it.each([
    ['777', 0o777],
    ['775', 0o775],
    ['757', 0o757],
    ['1777', 0o1777],
  ])('is not used with mode %s, which lets others write to it', (_name, mode) => {
    const file = spoiledDir(() => chmodSync(dir, mode));
    expectUnused(file, new RegExp(`other users can write to it \\(mode ${(mode & 0o777).toString(8)}\\)`));
  });

  it('is not used when it is a symlink', () => {
    const real = join(root, 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, dir);
    const c = cache();
    c.put(MFA_KEY, entry());
    expect(c.fresh(MFA_KEY)).toBeUndefined();
    expect(readdirSync(real)).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/not a directory/);
  });

  it('is put() first and still warns only once', () => {
    prepareDir(0o777);
    const c = cache();
    c.put(MFA_KEY, entry());
    expect(c.fresh(MFA_KEY)).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
    expect(warnings).toHaveLength(1);
  });

  it('is used when it is ours with mode 0755 (readable, but not writable, by others), and kept so', () => {
    prepareDir(0o755);
    const c = cache();
    c.put(MFA_KEY, entry());
    expect(c.fresh(MFA_KEY)).toEqual(entry());
    expect(modeOf(dir)).toBe(0o755);
    expect(modeOf(c.fileFor(MFA_KEY))).toBe(0o600);
    expect(warnings).toEqual([]);
  });
});

describe('SessionCache.entries and forget', () => {
  const alice = entry(3600, { profile: 'alice', sourceProfile: 'alice' });
  const bob = entry(3600, { profile: 'bob', sourceProfile: 'bob', accessKeyId: 'ASIABOB0000000000000' });
  const admin = entry(3600, { kind: 'role', profile: 'admin', sourceProfile: 'alice', roleArn: ROLE_ARN });
  const UNRELATED = [
    'notes.txt',
    'mfa-not-a-hash.json',
    'mfa-0123456789abcdef0123456789abcdef.json.123.abcdef.tmp',
    'MFA-0123456789ABCDEF0123456789ABCDEF.json',
  ];

  function populate(): SessionCache {
    const c = cache();
    c.put(MFA_KEY, alice);
    c.put(OTHER_KEY, bob);
    c.put(ROLE_KEY, admin);
    for (const name of UNRELATED) writeEntryFile(join(dir, name), alice);
    return c;
  }

  it('lists every trustworthy entry with its file, and skips (with a warning) the others', () => {
    const c = populate();
    const corrupt = join(dir, `mfa-${'a'.repeat(32)}.json`);
    writeEntryFile(corrupt, '{"version":1');
    const open = join(dir, `role-${'b'.repeat(32)}.json`);
    writeEntryFile(open, admin, 0o644);
    const link = join(dir, `mfa-${'c'.repeat(32)}.json`);
    writeEntryFile(join(root, 'target.json'), alice);
    symlinkSync(join(root, 'target.json'), link);

    const listed = c.entries();
    expect(listed.map((e) => e.file).sort()).toEqual(
      [c.fileFor(MFA_KEY), c.fileFor(OTHER_KEY), c.fileFor(ROLE_KEY)].sort(),
    );
    expect(listed.find((e) => e.file === c.fileFor(ROLE_KEY))!.entry).toEqual(admin);
    expect(listed.find((e) => e.file === c.fileFor(OTHER_KEY))!.entry).toEqual(bob);
    expect(warnings).toHaveLength(3);
    expect(warnings.find((w) => w.includes(JSON.stringify(corrupt)))).toMatch(/corrupt/);
    expect(warnings.find((w) => w.includes(JSON.stringify(open)))).toMatch(/lets other users read it/);
    expect(warnings.find((w) => w.includes(JSON.stringify(link)))).toMatch(/symlink/);
  });

  it('lists expired entries too (listing is not serving)', () => {
    const c = cache();
    c.put(MFA_KEY, entry(-100));
    expect(c.entries().map((e) => e.entry)).toEqual([entry(-100)]);
  });

  asRoot('does not list an entry that belongs to another user', () => {
    const c = populate();
    chownSync(c.fileFor(OTHER_KEY), OTHER_UID, OTHER_UID);
    expect(
      c
        .entries()
        .map((e) => e.entry.profile)
        .sort(),
    ).toEqual(['admin', 'alice']);
    expect(warnings).toHaveLength(1);
  });

  it('forget() without a predicate deletes every session file, and nothing else', () => {
    const c = populate();
    const corrupt = join(dir, `role-${'d'.repeat(32)}.json`);
    writeEntryFile(corrupt, 'garbage');
    expect(c.forget()).toBe(4);
    expect(readdirSync(dir).sort()).toEqual([...UNRELATED].sort());
    expect(c.entries()).toEqual([]);
    expect(c.forget()).toBe(0);
  });

  it('forget(predicate) deletes only the entries it selects and says how many', () => {
    const c = populate();
    expect(c.forget((e) => e.sourceProfile === 'alice')).toBe(2);
    expect(existsSync(c.fileFor(MFA_KEY))).toBe(false);
    expect(existsSync(c.fileFor(ROLE_KEY))).toBe(false);
    expect(c.entries().map((e) => e.entry)).toEqual([bob]);
    expect(c.forget((e) => e.kind === 'role')).toBe(0);
    expect(c.forget((e) => e.profile === 'bob')).toBe(1);
    expect(readdirSync(dir).sort()).toEqual([...UNRELATED].sort());
  });

  it('forget(predicate) leaves files it cannot read alone, quietly', () => {
    const c = populate();
    const corrupt = join(dir, `mfa-${'e'.repeat(32)}.json`);
    writeEntryFile(corrupt, 'garbage');
    expect(c.forget(() => true)).toBe(3);
    expect(existsSync(corrupt)).toBe(true);
    expect(warnings).toEqual([]);
  });

  it('forget() finds nothing in a directory that does not exist', () => {
    expect(cache().forget()).toBe(0);
    expect(cache().entries()).toEqual([]);
    expect(warnings).toEqual([]);
  });
});

describe('cacheSettings', () => {
  it('cacheDir: MFA_ENV_CACHE_DIR, then $XDG_CACHE_HOME/mfa-env, then $HOME/.cache/mfa-env', () => {
    const all = { MFA_ENV_CACHE_DIR: '/custom/cache', XDG_CACHE_HOME: '/xdg', HOME: '/home/alice' };
    expect(cacheDir(all)).toBe('/custom/cache');
    expect(cacheDir({ ...all, MFA_ENV_CACHE_DIR: undefined })).toBe('/xdg/mfa-env');
    expect(cacheDir({ ...all, MFA_ENV_CACHE_DIR: '' })).toBe('/xdg/mfa-env');
    expect(cacheDir({ HOME: '/home/alice' })).toBe('/home/alice/.cache/mfa-env');
    expect(cacheDir({ HOME: '/home/alice', XDG_CACHE_HOME: '' })).toBe('/home/alice/.cache/mfa-env');
    expect(cacheDir({ HOME: '/home/alice/', XDG_CACHE_HOME: '/xdg/' })).toBe('/xdg/mfa-env');
  });

  // The XDG Base Directory spec: a relative path in these variables is invalid and must be ignored; used as it is,
  // sessions would be written under whatever directory the shell happens to be in.
  it('cacheDir ignores a relative XDG_CACHE_HOME, as the XDG spec requires', () => {
    expect(cacheDir({ HOME: '/home/alice', XDG_CACHE_HOME: 'relative/cache' })).toBe('/home/alice/.cache/mfa-env');
  });

  it('cacheDir: falls back to the account home directory without HOME', () => {
    expect(cacheDir({})).toBe(join(homedir(), '.cache', 'mfa-env'));
  });

  it('minTtlSeconds: 5 minutes unless MFA_ENV_MIN_TTL says otherwise', () => {
    expect(DEFAULT_MIN_TTL_SECONDS).toBe(300);
    expect(minTtlSeconds({})).toBe(300);
    expect(minTtlSeconds({ MFA_ENV_MIN_TTL: '' })).toBe(300);
    expect(minTtlSeconds({ MFA_ENV_MIN_TTL: '10m' })).toBe(600);
    expect(minTtlSeconds({ MFA_ENV_MIN_TTL: '90' })).toBe(90);
    expect(minTtlSeconds({ MFA_ENV_MIN_TTL: '1h30m' })).toBe(5400);
    expect(minTtlSeconds({ MFA_ENV_MIN_TTL: '0' })).toBe(0);
  });

  it.each(['soon', '5 min', '-1', '1.5h', ' '])(
    'minTtlSeconds: refuses MFA_ENV_MIN_TTL=%j, naming the variable',
    (text) => {
      let error: unknown;
      try {
        minTtlSeconds({ MFA_ENV_MIN_TTL: text });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('MFA_ENV_MIN_TTL');
      expect((error as Error).message).toContain(JSON.stringify(text));
    },
  );

  it('cacheDisabled: MFA_ENV_NO_CACHE set to anything but empty or 0', () => {
    expect(cacheDisabled({})).toBe(false);
    expect(cacheDisabled({ MFA_ENV_NO_CACHE: '' })).toBe(false);
    expect(cacheDisabled({ MFA_ENV_NO_CACHE: '0' })).toBe(false);
    expect(cacheDisabled({ MFA_ENV_NO_CACHE: '1' })).toBe(true);
    expect(cacheDisabled({ MFA_ENV_NO_CACHE: 'yes' })).toBe(true);
    expect(cacheDisabled({ MFA_ENV_NO_CACHE: 'true' })).toBe(true);
  });
});

describe('memoryStore (exec --server --no-cache)', () => {
  it('serves by the same freshness rule as the disk, per key, and never takes a lock or touches the disk', () => {
    let now = NOW;
    const store = memoryStore(MIN_TTL, () => now);
    expect(store.fresh(MFA_KEY)).toBeUndefined();
    store.put(MFA_KEY, entry(MIN_TTL + 1));
    expect(store.fresh(MFA_KEY)).toEqual(entry(MIN_TTL + 1));
    expect(store.fresh(OTHER_KEY)).toBeUndefined();
    expect(store.lockFileFor(MFA_KEY)).toBeUndefined();
    // The disk cache and the store agree on when a session stops being served.
    const disk = cache({ now: () => now });
    disk.put(MFA_KEY, entry(MIN_TTL + 1));
    now += 1000;
    expect([store.fresh(MFA_KEY) !== undefined, disk.fresh(MFA_KEY) !== undefined]).toEqual([true, true]);
    now += 1000;
    expect([store.fresh(MFA_KEY), disk.fresh(MFA_KEY)]).toEqual([undefined, undefined]);
    expect(readdirSync(dir)).toHaveLength(1);
  });
});
