import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  futimesSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { show } from '../errors';
import type { TemporaryCredentials } from './sts';

/** One cached session, as stored in its file. Knows nothing about shells or profiles' files. */
export interface CachedSession {
  version: 1;
  /** `mfa`: a GetSessionToken session made with an MFA code; `role`: a role session. */
  kind: 'mfa' | 'role';
  /** The profile it was made for, and the one holding the keys behind it: for `list` and `forget`. */
  profile: string;
  sourceProfile: string;
  mfaSerial: string;
  roleArn?: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** RFC 3339. */
  expiration: string;
  createdAt: string;
}

export interface CacheKey {
  kind: CachedSession['kind'];
  /** What determines the session; hashed into the file name, so no value (and no secret) shows there. */
  parts: Record<string, unknown>;
}

export interface CacheOptions {
  dir: string;
  /** A session is served only with at least this many seconds left. */
  minTtlSeconds: number;
  /** The user the files must belong to. */
  uid: number;
  warn(message: string): void;
  now?: () => number;
}

/**
 * Sessions on disk, shared by every shell of the user: one 0600 JSON file per session in a 0700 directory, written
 * atomically (temp file + rename) so a reader sees the old file or the new one, never half of either. Anything
 * it cannot trust is skipped with a warning, never fatal: the worst case is asking for a code again.
 */
export class SessionCache {
  constructor(private readonly options: CacheOptions) {}

  get dir(): string {
    return this.options.dir;
  }

  fileFor(key: CacheKey): string {
    const digest = crypto()
      .createHash('sha256').update(JSON.stringify([key.kind, key.parts])).digest('hex').slice(0, 32);
    return join(this.options.dir, `${key.kind}-${digest}.json`);
  }

  /** The cached session for the key if it is trustworthy and has at least the minimum time left. */
  fresh(key: CacheKey, { quiet = false } = {}): CachedSession | undefined {
    return this.freshFile(this.fileFor(key), { quiet });
  }

  /** The session in a file named by `fileFor` (here or earlier: the fast path's plan memo), if trustworthy and fresh. */
  freshFile(file: string, { quiet = true } = {}): CachedSession | undefined {
    const entry = this.read(file, { quiet });
    return entry && isFresh(entry, this.options.minTtlSeconds, (this.options.now ?? Date.now)()) ? entry : undefined;
  }

  /**
   * The lock file of the key (see sessionLock.ts), beside its entry, making the directory if need be; undefined
   * when the directory cannot be used, as then nothing would be stored for another process to wait for.
   */
  lockFileFor(key: CacheKey): string | undefined {
    return this.ensureDir() ? this.fileFor(key).replace(/\.json$/, '.lock') : undefined;
  }

  /** The cached session for the key, however little time it has left (for `list` and `status`). */
  peek(key: CacheKey): CachedSession | undefined {
    return this.read(this.fileFor(key), { quiet: true });
  }

  /** Names of the session files present, read once, so listing thousands of profiles opens only real files. */
  fileNames(): Set<string> {
    return new Set(this.dirUsable(true) ? this.files() : []);
  }

  secondsLeft(entry: CachedSession): number {
    return secondsLeft(entry, (this.options.now ?? Date.now)());
  }

  put(key: CacheKey, entry: CachedSession): void {
    if (!this.ensureDir()) return; // it said why
    const problem = this.writeText(this.fileFor(key), `${JSON.stringify(entry, null, 2)}\n`);
    if (problem) this.options.warn(`could not save the session in the cache (${problem}); it will be asked for again next time`);
  }

  /**
   * Writes a file of ours in the cache directory: 0600 whatever the umask, atomically (temp file + rename).
   * Returns what went wrong, if anything.
   */
  writeText(file: string, text: string, { mtime }: { mtime?: Date } = {}): string | undefined {
    if (!this.ensureDir()) return 'no usable cache directory';
    const temp = `${file}.${process.pid}.${crypto().randomBytes(6).toString('hex')}.tmp`;
    try {
      const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      try {
        // The mode given to open is reduced by the umask; the file must be 0600 whatever the umask.
        fchmodSync(fd, 0o600);
        writeSync(fd, text);
        if (mtime) futimesSync(fd, mtime, mtime);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, file);
      return undefined;
    } catch (err) {
      safeUnlink(temp);
      return describe(err);
    }
  }

  /** Every trustworthy entry, with its file. */
  entries(): Array<{ file: string; entry: CachedSession }> {
    if (!this.dirUsable()) return [];
    return this.files()
      .map((file) => ({ file, entry: this.read(file) }))
      .filter((e): e is { file: string; entry: CachedSession } => e.entry !== undefined);
  }

  /** Deletes the sessions `which` selects (every file of ours when omitted); returns how many went. */
  forget(which?: (entry: CachedSession) => boolean): number {
    if (!this.dirUsable()) return 0;
    let removed = 0;
    const selected = new Set<string>();
    for (const file of this.files()) {
      const entry = which ? this.read(file, { quiet: true }) : undefined;
      if (which && (!entry || !which(entry))) continue;
      selected.add(file);
      if (safeUnlink(file)) removed++;
    }
    // A write killed between its temp file and the rename leaves a whole session behind: it goes with its entry, or
    // when what it holds is selected (a first write has no entry yet). One that holds nothing readable is harmless.
    for (const { temp, entryFile } of this.tempFiles()) {
      if (!which || selected.has(entryFile)) {
        safeUnlink(temp);
        continue;
      }
      const entry = this.read(temp, { quiet: true });
      if (entry && which(entry)) safeUnlink(temp);
    }
    return removed;
  }

  /** Temp files of put(): the entry's name, the writer's pid, a random part. */
  private tempFiles(): Array<{ temp: string; entryFile: string }> {
    try {
      return readdirSync(this.options.dir)
        .map((name) => /^((?:mfa|role)-[0-9a-f]{32}\.json)\.\d+\.[0-9a-f]{12}\.tmp$/.exec(name))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ temp: join(this.options.dir, m[0]), entryFile: join(this.options.dir, m[1]) }));
    } catch {
      return [];
    }
  }

  private files(): string[] {
    try {
      return readdirSync(this.options.dir)
        .filter((name) => /^(mfa|role)-[0-9a-f]{32}\.json$/.test(name))
        .map((name) => join(this.options.dir, name));
    } catch {
      return [];
    }
  }

  private read(file: string, { quiet = false } = {}): CachedSession | undefined {
    const text = this.readText(file, { quiet });
    if (text === undefined) return undefined;
    const entry = parseEntry(text);
    if (!entry && !quiet) this.options.warn(`ignoring cached session ${show(file)}: it is corrupt; it will be replaced`);
    return entry;
  }

  /** The text of a file of ours in the cache directory, if it can be trusted (ours, 0600, a regular file). */
  readText(file: string, { quiet = false } = {}): string | undefined {
    const warn = (why: string) => {
      if (!quiet) this.options.warn(`ignoring cached session ${show(file)}: ${why}`);
      return undefined;
    };
    if (!this.dirUsable(quiet)) return undefined;
    let fd: number;
    try {
      // O_NOFOLLOW: a symlink planted in the cache must not make us read (or trust) another file.
      // O_NONBLOCK: a FIFO named like a cache file must not hang the shell; fstat then rejects it.
      fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      return warn(code === 'ELOOP' ? 'it is a symlink' : `cannot read it (${describe(err)})`);
    }
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile()) return warn('it is not a regular file');
      if (stat.uid !== this.options.uid) return warn(`it belongs to another user (uid ${stat.uid})`);
      if ((stat.mode & 0o077) !== 0) return warn(`its mode ${(stat.mode & 0o777).toString(8)} lets other users read it; delete it`);
      return readFileSync(fd, 'utf8');
    } catch (err) {
      return warn(`cannot read it (${describe(err)})`);
    } finally {
      closeSync(fd);
    }
  }

  private dirChecked?: boolean;

  /** The directory may hold our secrets only if it is ours and nobody else can write to it. */
  private dirUsable(quiet = false): boolean {
    if (this.dirChecked !== undefined) return this.dirChecked;
    let stat;
    try {
      stat = lstatSync(this.options.dir);
    } catch {
      return false; // not there yet: nothing cached, and ensureDir may still make it
    }
    const problem = !stat.isDirectory()
      ? 'it is not a directory'
      : stat.uid !== this.options.uid
        ? `it belongs to another user (uid ${stat.uid})`
        : (stat.mode & 0o022) !== 0
          ? `other users can write to it (mode ${(stat.mode & 0o777).toString(8)})`
          : undefined;
    if (problem && !quiet) this.options.warn(`not using the session cache ${show(this.options.dir)}: ${problem}; fix or remove it (or set MFA_ENV_CACHE_DIR)`);
    this.dirChecked = problem === undefined;
    return this.dirChecked;
  }

  /**
   * A directory of ours inside the cache directory (the plan memos'), made if need be, only when the cache directory
   * itself is usable, and judged by the same rules; undefined otherwise.
   */
  subdir(name: string): string | undefined {
    if (!this.ensureDir()) return undefined;
    const dir = join(this.options.dir, name);
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
    }
    try {
      const stat = lstatSync(dir);
      return stat.isDirectory() && stat.uid === this.options.uid && (stat.mode & 0o022) === 0 ? dir : undefined;
    } catch {
      return undefined;
    }
  }

  private ensureDir(): boolean {
    if (this.dirChecked !== undefined) return this.dirChecked;
    try {
      // Only a directory made here is chmod'ed (the umask may have widened nothing, but may have narrowed 0700 oddly);
      // an existing one is judged as it is.
      if (mkdirSync(this.options.dir, { recursive: true, mode: 0o700 }) !== undefined) chmodSync(this.options.dir, 0o700);
    } catch (err) {
      this.options.warn(`cannot create the session cache ${show(this.options.dir)} (${describe(err)})`);
      // Once is enough: the lock and the store both ask.
      this.dirChecked = false;
      return false;
    }
    return this.dirUsable();
  }
}

/** What getting a session needs of a cache: the disk cache, or (exec --server with --no-cache) one in memory. */
export type SessionStore = Pick<SessionCache, 'fresh' | 'fileFor' | 'lockFileFor' | 'put'>;

/**
 * Sessions kept in this process only, by the same freshness rule as the disk cache: what lets a long-running
 * `exec --server --no-cache` renew a role from its MFA session without a code and without writing a file.
 */
export function memoryStore(minTtlSeconds: number, now: () => number = Date.now): SessionStore {
  const entries = new Map<string, CachedSession>();
  const id = (key: CacheKey) => JSON.stringify([key.kind, key.parts]);
  return {
    fileFor: (key) => `memory (${key.kind} session)`,
    lockFileFor: () => undefined,
    fresh(key) {
      const entry = entries.get(id(key));
      return entry && isFresh(entry, minTtlSeconds, now()) ? entry : undefined;
    },
    put: (key, entry) => void entries.set(id(key), entry),
  };
}

/** A session is served while it has at least the minimum time left (MFA_ENV_MIN_TTL). */
function isFresh(entry: CachedSession, minTtlSeconds: number, nowMs: number): boolean {
  return secondsLeft(entry, nowMs) >= minTtlSeconds;
}

function secondsLeft(entry: CachedSession, nowMs: number): number {
  return Math.floor((Date.parse(entry.expiration) - nowMs) / 1000);
}

/** Turns stored credentials back into what STS gave. */
export function credentialsOf(entry: CachedSession): TemporaryCredentials {
  return {
    accessKeyId: entry.accessKeyId,
    secretAccessKey: entry.secretAccessKey,
    sessionToken: entry.sessionToken,
    expiration: new Date(entry.expiration),
  };
}

function parseEntry(text: string): CachedSession | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const e = value as Partial<CachedSession> | null;
  const strings = ['profile', 'sourceProfile', 'mfaSerial', 'accessKeyId', 'secretAccessKey', 'sessionToken', 'expiration', 'createdAt'] as const;
  if (!e || typeof e !== 'object' || e.version !== 1 || (e.kind !== 'mfa' && e.kind !== 'role')) return undefined;
  if (!strings.every((k) => typeof e[k] === 'string' && e[k] !== '')) return undefined;
  if (e.roleArn !== undefined && typeof e.roleArn !== 'string') return undefined;
  if (Number.isNaN(Date.parse(e.expiration!))) return undefined;
  return e as CachedSession;
}

// Hashing and random names are needed only to name files, never on the fast path's reads; loading crypto costs ms.
function crypto(): typeof import('node:crypto') {
  return require('node:crypto') as typeof import('node:crypto');
}

function safeUnlink(file: string): boolean {
  try {
    unlinkSync(file);
    return true;
  } catch {
    return false;
  }
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ?? e.message ?? String(err);
}
