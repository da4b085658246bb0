// Replacing a file so that a reader, or a crash, sees the old text or the new one and never half of either: the new
// text goes into a temp file beside it, made with O_EXCL and never through a symlink, synced, then renamed over it.
// Every file mfa-env writes (cache entries, memos, the AWS files) goes through here.
import {
  closeSync,
  constants,
  copyFileSync,
  fchmodSync,
  fsyncSync,
  futimesSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { removeFile } from './removeFile';

export interface AtomicWriteOptions {
  /** The new file's mode, whatever the umask (default: the old file's, else 0600). */
  mode?: number;
  /** Copy the old file to FILE.bak first. */
  backup?: boolean;
  /** The new file's access and modification time. */
  mtime?: Date;
  /** Make the parent directory (0700) if it is missing, as the AWS CLI makes ~/.aws. */
  makeParent?: boolean;
}

/** Writes `text` to `path` atomically; throws the system's error (the file is then unchanged, no temp file left). */
export function writeFileAtomically(path: string, text: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  let mode = options.mode;
  let existed = false;
  try {
    const stat = statSync(path);
    existed = true;
    mode ??= stat.mode & 0o777;
  } catch {
    // a new file
  }
  if (options.backup && existed) copyFileSync(path, `${path}.bak`);
  if (options.makeParent && !existed) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = tempFileFor(path);
  try {
    const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      // The mode given to open is reduced by the umask; the file must have its mode whatever the umask.
      fchmodSync(fd, mode ?? 0o600);
      // writeFileSync on a descriptor writes it all (one writeSync may write part of it).
      writeFileSync(fd, text);
      if (options.mtime) futimesSync(fd, options.mtime, options.mtime);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (err) {
    removeFile(temp);
    throw err;
  }
}

/** `FILE.<12 hex digits>.tmp`: where the new text of FILE is written before the rename. */
function tempFileFor(path: string): string {
  const random = (require('node:crypto') as typeof import('node:crypto')).randomBytes(6).toString('hex');
  return `${path}.${random}.tmp`;
}

/**
 * The name of a temp file of writeFileAtomically's for a file named `name`. `pidForm` also accepts
 * `FILE.<pid>.<hex>.tmp`, the name older versions gave the session cache's temp files (never the AWS files').
 */
export function isTempFileOf(
  name: string,
  candidate: string,
  { pidForm = false }: { pidForm?: boolean } = {},
): boolean {
  const rest = candidate.startsWith(`${name}.`) ? candidate.slice(name.length + 1) : '';
  return (pidForm ? /^(?:\d+\.)?[0-9a-f]{12}\.tmp$/ : /^[0-9a-f]{12}\.tmp$/).test(rest);
}

/**
 * A temp file this old was left by a run killed between writing it and the rename; a younger one may be another
 * run's, still being written, and is not pulled from under it.
 */
const LEFTOVER_TEMP_AGE_MS = 60_000;

/**
 * Removes the temp files a killed write left beside `path` (each a whole copy of it, secrets included), when older
 * than LEFTOVER_TEMP_AGE_MS, or, with `holding`, when they hold that text however young (a secret just moved out of
 * the file must not stay behind in a copy; a concurrent write whose temp file this was fails, and changes nothing).
 * Best effort: a leftover that cannot be removed never turns the write before it into a failure.
 */
export function removeLeftoverTemps(path: string, { holding }: { holding?: string } = {}): void {
  const nowMs = Date.now();
  const dir = dirname(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!isTempFileOf(basename(path), name)) continue;
    const file = join(dir, name);
    try {
      const stat = lstatSync(file);
      if (!stat.isFile()) continue;
      if (
        nowMs - stat.mtimeMs > LEFTOVER_TEMP_AGE_MS ||
        (holding !== undefined && readFileSync(file, 'utf8').includes(holding))
      )
        removeFile(file);
    } catch {
      // gone already, or not ours to read
    }
  }
}
