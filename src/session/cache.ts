import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isTempFileOf } from '../files/atomicWrite';
import { removeFile } from '../files/removeFile';
import { TrustedDir } from '../files/trustedDir';
import { show } from '../text/showText';
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
  /** The clock (ms since the epoch): what is fresh, what is left. */
  now: () => number;
}

/**
 * Sessions on disk, shared by every shell of the user: one 0600 JSON file per session in a 0700 directory, written
 * atomically (temp file + rename) so a reader sees the old file or the new one, never half of either. Anything
 * it cannot trust is skipped with a warning, never fatal: the worst case is asking for a code again.
 */
export class SessionCache {
  /** The directory and its trust rules, for the files kept beside the sessions (plan memos, shell memos, the keyring index). */
  readonly files: TrustedDir;
  private readonly fileNamesByKey = new Map<string, string>();

  constructor(private readonly options: CacheOptions) {
    this.files = new TrustedDir(options);
  }

  get dir(): string {
    return this.options.dir;
  }

  fileFor(key: CacheKey): string {
    const text = JSON.stringify([key.kind, key.parts]);
    // Remembered: `list` asks for the same MFA session's file once per role that uses it.
    let file = this.fileNamesByKey.get(text);
    if (file === undefined) {
      const digest = crypto().createHash('sha256').update(text).digest('hex').slice(0, 32);
      file = join(this.options.dir, `${key.kind}-${digest}.json`);
      this.fileNamesByKey.set(text, file);
    }
    return file;
  }

  /** The cached session for the key if it is trustworthy and has at least the minimum time left. */
  fresh(key: CacheKey, { quiet = false } = {}): CachedSession | undefined {
    return this.freshFile(this.fileFor(key), { quiet });
  }

  /** The session in a file named by `fileFor` (here or earlier: the fast path's plan memo), if trustworthy and fresh. */
  freshFile(file: string, { quiet = true } = {}): CachedSession | undefined {
    const entry = this.read(file, { quiet });
    return entry && isFresh(entry, this.options.minTtlSeconds, this.options.now()) ? entry : undefined;
  }

  /**
   * The lock file of the key (see sessionLock.ts), beside its entry, making the directory if need be; undefined
   * when the directory cannot be used, as then nothing would be stored for another process to wait for.
   */
  lockFileFor(key: CacheKey): string | undefined {
    return this.files.ensure() ? this.fileFor(key).replace(/\.json$/, '.lock') : undefined;
  }

  /** The cached session for the key, however little time it has left (for `list` and `status`). */
  peek(key: CacheKey): CachedSession | undefined {
    return this.read(this.fileFor(key), { quiet: true });
  }

  /** The session in a file named by `fileFor` (here or earlier: the listing memo), however little time it has left. */
  peekFile(file: string): CachedSession | undefined {
    return this.read(file, { quiet: true });
  }

  /** Names of the session files present, read once, so listing thousands of profiles opens only real files. */
  fileNames(): Set<string> {
    return new Set(this.files.usable(true) ? this.sessionFiles() : []);
  }

  secondsLeft(entry: CachedSession): number {
    return secondsLeft(entry, this.options.now());
  }

  put(key: CacheKey, entry: CachedSession): void {
    if (!this.files.ensure()) return; // it said why
    const problem = this.files.writeText(this.fileFor(key), `${JSON.stringify(entry, null, 2)}\n`);
    if (problem)
      this.options.warn(`could not save the session in the cache (${problem}); it will be asked for again next time`);
  }

  /** Every trustworthy entry, with its file. */
  entries(): Array<{ file: string; entry: CachedSession }> {
    if (!this.files.usable()) return [];
    return this.sessionFiles()
      .map((file) => ({ file, entry: this.read(file) }))
      .filter((e): e is { file: string; entry: CachedSession } => e.entry !== undefined);
  }

  /** Deletes the sessions `which` selects (every file of ours when omitted); returns how many went. */
  forget(which?: (entry: CachedSession) => boolean): number {
    if (!this.files.usable()) return 0;
    let removed = 0;
    const selected = new Set<string>();
    for (const file of this.sessionFiles()) {
      const entry = which ? this.read(file, { quiet: true }) : undefined;
      if (which && (!entry || !which(entry))) continue;
      selected.add(file);
      if (removeFile(file)) removed++;
    }
    // A write killed between its temp file and the rename leaves a whole session behind: it goes with its entry, or
    // when what it holds is selected (a first write has no entry yet). One that holds nothing readable is harmless.
    for (const { temp, entryFile } of this.tempFiles()) {
      if (!which || selected.has(entryFile)) {
        removeFile(temp);
        continue;
      }
      const entry = this.read(temp, { quiet: true });
      if (entry && which(entry)) removeFile(temp);
    }
    return removed;
  }

  /** Temp files of put() a killed write left: each with the entry it was to replace. */
  private tempFiles(): Array<{ temp: string; entryFile: string }> {
    const entryOf = (name: string) => /^(?:mfa|role)-[0-9a-f]{32}\.json/.exec(name)?.[0];
    return this.names()
      .filter((name) => entryOf(name) !== undefined && isTempFileOf(entryOf(name)!, name, { pidForm: true }))
      .map((name) => ({ temp: join(this.options.dir, name), entryFile: join(this.options.dir, entryOf(name)!) }));
  }

  private sessionFiles(): string[] {
    return this.names()
      .filter(isSessionFileName)
      .map((name) => join(this.options.dir, name));
  }

  private names(): string[] {
    try {
      return readdirSync(this.options.dir);
    } catch {
      return [];
    }
  }

  private read(file: string, { quiet = false } = {}): CachedSession | undefined {
    const text = this.files.readText(file, { quiet });
    if (text === undefined) return undefined;
    const entry = parseEntry(text);
    if (!entry && !quiet)
      this.options.warn(`ignoring cached session ${show(file)}: it is corrupt; it will be replaced`);
    return entry;
  }
}

/** What getting a session needs of a cache: the disk cache, or (exec --server with --no-cache) one in memory. */
export type SessionStore = Pick<SessionCache, 'fresh' | 'fileFor' | 'lockFileFor' | 'put'>;

/**
 * Sessions kept in this process only, by the same freshness rule as the disk cache: what lets a long-running
 * `exec --server --no-cache` renew a role from its MFA session without a code and without writing a file.
 */
export function memoryStore(minTtlSeconds: number, now: () => number): SessionStore {
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
  const strings = [
    'profile',
    'sourceProfile',
    'mfaSerial',
    'accessKeyId',
    'secretAccessKey',
    'sessionToken',
    'expiration',
    'createdAt',
  ] as const;
  if (!e || typeof e !== 'object' || e.version !== 1 || (e.kind !== 'mfa' && e.kind !== 'role')) return undefined;
  if (!strings.every((k) => typeof e[k] === 'string' && e[k] !== '')) return undefined;
  if (e.roleArn !== undefined && typeof e.roleArn !== 'string') return undefined;
  if (Number.isNaN(Date.parse(e.expiration!))) return undefined;
  return e as CachedSession;
}

// Hashing is needed only to name files, never on the fast path's reads; loading crypto costs ms.
function crypto(): typeof import('node:crypto') {
  return require('node:crypto') as typeof import('node:crypto');
}

/** `mfa-` or `role-` and 32 hex digits of a hash, `.json`: the only names fileFor() makes. */
export function isSessionFileName(name: string): boolean {
  return /^(mfa|role)-[0-9a-f]{32}\.json$/.test(name);
}

/** A session file of this cache: what a plan memo may point at (and nothing else). */
export function isSessionFileOf(cache: SessionCache, file: string): boolean {
  return join(cache.dir, basename(file)) === file && isSessionFileName(basename(file));
}
