import {
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError, show } from '../errors';

/**
 * Changes to one section of an AWS config or credentials file, made as text so that every other byte (comments,
 * order, spacing, other profiles, line endings) stays as the user left it. Parsing stays the SDK's; this only finds
 * section headers and `key =` lines, the way the SDK's parser recognises them.
 */
export interface SectionEdit {
  /** The header as it appears between the brackets: `profile NAME`, `default`, or a credentials-file NAME. */
  header: string;
  /** Keys to set (replacing the line of an existing key) or, with null, to remove. */
  keys: Record<string, string | null>;
}

const HEADER = /^\s*\[\s*(.*?)\s*\]\s*(?:[#;].*)?$/;

export function editSection(text: string, edit: SectionEdit): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text === '' ? [] : text.split(/\r?\n/);
  // A final newline leaves an empty last element; it is put back by the join.
  const trailing = lines.length > 0 && lines[lines.length - 1] === '';
  if (trailing) lines.pop();

  const start = lines.findIndex((line) => HEADER.exec(line)?.[1] === edit.header);
  const pending = new Map(Object.entries(edit.keys));
  if (start < 0) {
    const added = [...pending].filter(([, v]) => v !== null).map(([k, v]) => `${k} = ${v}`);
    if (added.length === 0) return text;
    const gap = lines.length > 0 && lines[lines.length - 1].trim() !== '' ? [''] : [];
    return [...lines, ...gap, `[${edit.header}]`, ...added].join(eol) + eol;
  }
  let end = lines.findIndex((line, i) => i > start && HEADER.test(line));
  if (end < 0) end = lines.length;

  const out = lines.slice(0, start + 1);
  let lastKeyLine = start;
  const keysOf = keyNames(lines.slice(start + 1, end));
  for (let i = start + 1; i < end; i++) {
    const key = keysOf[i - start - 1];
    if (key !== undefined && pending.has(key)) {
      const value = pending.get(key)!;
      pending.delete(key);
      if (value === null) continue;
      // Keep the line's own spacing around `=`.
      out.push(lines[i].replace(/^([^=]*=\s*).*$/, (_, lead: string) => `${lead}${value}`));
    } else {
      out.push(lines[i]);
    }
    if (lines[i].trim() !== '' && !/^\s*[#;]/.test(lines[i])) lastKeyLine = out.length - 1;
  }
  // New keys go after the section's last key line, before the blank lines and comments that precede the next one.
  const added = [...pending].filter(([, v]) => v !== null).map(([k, v]) => `${k} = ${v}`);
  out.splice(lastKeyLine + 1, 0, ...added);
  return [...out, ...lines.slice(end)].join(eol) + (trailing ? eol : '');
}

/**
 * The top-level key each line of a section's body sets, or undefined. As in the SDK's parser: leading spaces do not
 * matter, except that indented lines after `name =` (with no value) are that sub-section's, not keys of their own.
 */
function keyNames(body: string[]): Array<string | undefined> {
  let inSubsection = false;
  return body.map((line) => {
    const m = /^(\s*)([^=\s#;][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) return undefined;
    const [, indent, key, value] = m;
    if (inSubsection && indent !== '') return undefined;
    inSubsection = value === '';
    return value === '' ? undefined : key;
  });
}

/** The keys a section has, for checks before editing (e.g. long-term keys that must not be overwritten). */
export function sectionKeys(text: string, header: string): Record<string, string> | undefined {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => HEADER.exec(line)?.[1] === header);
  if (start < 0) return undefined;
  let end = lines.findIndex((line, i) => i > start && HEADER.test(line));
  if (end < 0) end = lines.length;
  const body = lines.slice(start + 1, end);
  const keys: Record<string, string> = {};
  keyNames(body).forEach((key, i) => {
    if (key !== undefined) keys[key] = body[i].slice(body[i].indexOf('=') + 1).trim();
  });
  return keys;
}

/**
 * A temp file of ours this old was left by a run killed between writing it and the rename; a younger one may be
 * another run's, still being written, and is not pulled from under it.
 */
export const LEFTOVER_TEMP_AGE_MS = 60_000;

/**
 * Replaces a file atomically (temp file + rename): a crash leaves the old file or the new one. The mode stays as it
 * was (0600 for a new file); with `backup`, the old file is copied to FILE.bak first. Temp files a killed write left
 * beside the file are removed afterwards: they are whole copies of it, long-term keys included.
 */
export function writeFileAtomically(path: string, text: string, { backup = false } = {}): void {
  let mode = 0o600;
  let existed = false;
  try {
    mode = statSync(path).mode & 0o777;
    existed = true;
  } catch {
    // a new file
  }
  if (backup && existed) copyFileSync(path, `${path}.bak`);
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    // ~/.aws may not exist yet; like the AWS CLI, make it private.
    if (!existed) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(temp, mode);
    renameSync(temp, path);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // never created
    }
    throw new ConfigError(`cannot write ${show(path)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); it is unchanged`);
  }
  removeLeftoverTemps(path);
}

/**
 * Best effort: the write has succeeded, and a leftover that cannot be removed must not turn it into a failure. With
 * `holding`, a leftover that holds that text goes however young: a secret that was just moved out of the file must
 * not stay behind in a copy (a concurrent write whose temp file this was fails, and leaves the file unchanged).
 */
export function removeLeftoverTemps(path: string, { holding }: { holding?: string } = {}): void {
  const nowMs = Date.now();
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    // Only names writeFileAtomically makes for this file: FILE.<12 hex digits>.tmp.
    if (!name.startsWith(prefix) || !/^[0-9a-f]{12}\.tmp$/.test(name.slice(prefix.length))) continue;
    const file = join(dir, name);
    try {
      const stat = lstatSync(file);
      if (!stat.isFile()) continue;
      if (nowMs - stat.mtimeMs > LEFTOVER_TEMP_AGE_MS || (holding !== undefined && readFileSync(file, 'utf8').includes(holding))) unlinkSync(file);
    } catch {
      // gone already, or not ours to remove
    }
  }
}

export function readTextIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new ConfigError(`cannot read ${show(path)} (${(err as NodeJS.ErrnoException).code})`);
  }
}
