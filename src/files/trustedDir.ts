// A directory of the user's own that may hold secrets (the session cache, with its memos and the keyring index): used
// only while it is theirs and nobody else can write to it, and files in it are read only when they are the user's,
// regular, not symlinks and readable by nobody else, and written 0600, atomically. Anything it cannot trust is
// skipped with a warning, never fatal.
import { chmodSync, closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { show } from '../text/showText';
import { writeFileAtomically } from './atomicWrite';

export interface ReadOptions {
  /** Say nothing about a file that cannot be trusted. */
  quiet?: boolean;
  /** What the file is, for the warning. */
  what?: string;
  /** Larger files are not read (nor trusted). */
  maxBytes?: number;
}

export interface TrustedDirOptions {
  dir: string;
  /** The user the directory and its files must belong to. */
  uid: number;
  warn(message: string): void;
}

export class TrustedDir {
  private checked?: boolean;

  constructor(private readonly options: TrustedDirOptions) {}

  get dir(): string {
    return this.options.dir;
  }

  /** Whether the directory is there and may hold secrets: ours, a directory, and nobody else can write to it. */
  usable(quiet = false): boolean {
    if (this.checked !== undefined) return this.checked;
    let stat: import('node:fs').Stats;
    try {
      stat = lstatSync(this.options.dir);
    } catch {
      return false; // not there yet: nothing in it, and ensure() may still make it
    }
    const problem = !stat.isDirectory()
      ? 'it is not a directory'
      : stat.uid !== this.options.uid
        ? `it belongs to another user (uid ${stat.uid})`
        : (stat.mode & 0o022) !== 0
          ? `other users can write to it (mode ${(stat.mode & 0o777).toString(8)})`
          : undefined;
    if (problem && !quiet)
      this.options.warn(
        `not using the session cache ${show(this.options.dir)}: ${problem}; fix or remove it (or set MFA_ENV_CACHE_DIR)`,
      );
    this.checked = problem === undefined;
    return this.checked;
  }

  /** The directory, made (0700) if it is not there; whether it may be used. */
  ensure(): boolean {
    if (this.checked !== undefined) return this.checked;
    try {
      // Only a directory made here is chmod'ed (the umask may have narrowed 0700 oddly); an existing one is judged as it is.
      if (mkdirSync(this.options.dir, { recursive: true, mode: 0o700 }) !== undefined)
        chmodSync(this.options.dir, 0o700);
    } catch (err) {
      this.options.warn(`cannot create the session cache ${show(this.options.dir)} (${describe(err)})`);
      // Once is enough: every writer asks.
      this.checked = false;
      return false;
    }
    return this.usable();
  }

  /**
   * A directory of ours inside this one (the plan memos'), made if need be, only when this one is usable, and judged
   * by the same rules; undefined otherwise.
   */
  subdir(name: string): string | undefined {
    if (!this.ensure()) return undefined;
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

  /**
   * The text of a file of ours here, if it can be trusted (ours, 0600, a regular file); undefined when it is not
   * there or cannot be trusted (said, unless `quiet`, as `ignoring WHAT FILE: why`).
   */
  readText(file: string, options: ReadOptions = {}): string | undefined {
    return this.readBytes(file, options)?.toString('utf8');
  }

  /** The bytes of such a file (compiled code, say), on the same terms as readText. */
  readBytes(
    file: string,
    { quiet = false, what = 'cached session', maxBytes = MAX_READ_BYTES }: ReadOptions = {},
  ): Buffer | undefined {
    const warn = (why: string) => {
      if (!quiet) this.options.warn(`ignoring ${what} ${show(file)}: ${why}`);
      return undefined;
    };
    if (!this.usable(quiet)) return undefined;
    let fd: number;
    try {
      // O_NOFOLLOW: a symlink planted here must not make us read (or trust) another file.
      // O_NONBLOCK: a FIFO named like one of our files must not hang the shell; fstat then rejects it.
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
      if ((stat.mode & 0o077) !== 0)
        return warn(`its mode ${(stat.mode & 0o777).toString(8)} lets other users read it; delete it`);
      if (stat.size > maxBytes) return warn(`it is larger than ${maxBytes} bytes; delete it`);
      return readFileSync(fd);
    } catch (err) {
      return warn(`cannot read it (${describe(err)})`);
    } finally {
      closeSync(fd);
    }
  }

  /** Writes a file of ours here: 0600 whatever the umask, atomically. Returns what went wrong, if anything. */
  writeText(file: string, text: string | Uint8Array, { mtime }: { mtime?: Date } = {}): string | undefined {
    if (!this.ensure()) return 'no usable cache directory';
    try {
      writeFileAtomically(file, text, { mode: 0o600, mtime });
      return undefined;
    } catch (err) {
      return describe(err);
    }
  }
}

/** Far beyond any session or memo of one profile (a few KB): a bigger file here was not written by mfa-env. */
const MAX_READ_BYTES = 1024 * 1024;

export function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ?? e.message ?? String(err);
}
