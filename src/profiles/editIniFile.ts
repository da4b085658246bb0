import { ConfigError } from '../errors';
import { removeLeftoverTemps, writeFileAtomically } from '../files/atomicWrite';
import { show } from '../text/showText';
import { type AwsFileKind, parseAwsText, readAwsFile, type Section } from './configFiles';

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

/** The header of a profile's section: `[profile NAME]` in the config file (but `[default]`), `[NAME]` in credentials. */
export function sectionHeader(kind: AwsFileKind, profile: string): string {
  return kind === 'config' && profile !== 'default' ? `profile ${profile}` : profile;
}

export interface ProfileEdit {
  kind: AwsFileKind;
  profile: string;
  /** Keys to set or, with null, to remove. */
  keys: Record<string, string | null>;
  /** Sees the section as the SDKs read it now (undefined: none), and may refuse the edit by throwing. */
  check?(current: Section | undefined): void;
  /** Keep the old file as FILE.bak. */
  backup?: boolean;
}

/** An edit made and checked, not yet written. */
export interface PreparedEdit {
  path: string;
  /** The file's text now, and as it will be. */
  before: string;
  after: string;
  /** The new text's sections, as the SDKs will read them. */
  sections: Record<string, Section>;
  /** Replaces the file with the new text (atomically, mode kept, leftover temp copies removed). */
  write(): void;
}

/**
 * Sets or removes keys of one profile's section of an AWS file, once the SDK's own parser reads the new text as the
 * old one with exactly that change and nothing else: no name or value can add, split, hide or rename a section or a
 * key (a line break, a bracket, a comment character, a duplicate section), whatever was checked before. Nothing is
 * written until the caller says so, so that it can do what must come first (a keyring holding the keys).
 */
export async function prepareEdit(path: string, edit: ProfileEdit): Promise<PreparedEdit> {
  const before = await readAwsFile(path);
  const after = editSection(before, { header: sectionHeader(edit.kind, edit.profile), keys: edit.keys });
  const [old, now] = await Promise.all([parseAwsText(before, edit.kind), parseAwsText(after, edit.kind)]);
  const current = Object.hasOwn(old, edit.profile) ? old[edit.profile] : undefined;
  edit.check?.(current);
  const expected: Record<string, Section> = { ...old, [edit.profile]: { ...current } };
  for (const [key, value] of Object.entries(edit.keys)) {
    if (value === null) delete expected[edit.profile][key];
    else expected[edit.profile][key] = value;
  }
  if (Object.keys(expected[edit.profile]).length === 0) delete expected[edit.profile];
  if (!sameSections(expected, now)) {
    throw new ConfigError(
      `cannot write [${sectionHeader(edit.kind, edit.profile)}] in ${show(path)} as asked: the AWS SDKs would read the result differently (check for a duplicate section); nothing was changed`,
    );
  }
  return { path, before, after, sections: now, write: () => writeAwsFile(path, after, { backup: edit.backup }) };
}

/** prepareEdit, then the write: returns the file's old text (for messages about backups). */
export async function editProfile(path: string, edit: ProfileEdit): Promise<string> {
  const prepared = await prepareEdit(path, edit);
  prepared.write();
  return prepared.before;
}

function sameSections(a: Record<string, Section>, b: Record<string, Section>): boolean {
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  return names.every((name) => {
    if (!Object.hasOwn(b, name)) return false;
    const keys = Object.keys(a[name]);
    return (
      keys.length === Object.keys(b[name]).length &&
      keys.every((k) => Object.hasOwn(b[name], k) && a[name][k] === b[name][k])
    );
  });
}

/**
 * Replaces an AWS file atomically (files/atomicWrite.ts): a crash leaves the old file or the new one. The mode stays
 * as it was (0600 for a new file, in a ~/.aws made 0700 if need be); with `backup`, the old file is copied to
 * FILE.bak first. Temp files a killed write left beside the file are removed afterwards: they are whole copies of
 * it, long-term keys included.
 */
function writeAwsFile(path: string, text: string, { backup = false } = {}): void {
  try {
    writeFileAtomically(path, text, { backup, makeParent: true });
  } catch (err) {
    throw new ConfigError(
      `cannot write ${show(path)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); it is unchanged`,
    );
  }
  removeLeftoverTemps(path);
}
