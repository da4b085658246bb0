import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeLeftoverTemps } from '../../../src/files/atomicWrite';
import { editProfile, editSection } from '../../../src/profiles/editIniFile';

const FILE = [
  '# my AWS config',
  '[default]',
  'region=us-east-1',
  '',
  '[profile a]   # the first',
  '  region   =   eu-west-1',
  'output = json',
  '',
  '; about b',
  '[profile b]',
  'region = us-west-2',
  '',
].join('\n');

describe('editSection', () => {
  it('adds a key after the section’s last key, before the blank line and comment that lead to the next', () => {
    expect(editSection(FILE, { header: 'profile a', keys: { mfa_serial: 'arn:aws:iam::1:mfa/x' } })).toBe(
      FILE.replace('output = json\n', 'output = json\nmfa_serial = arn:aws:iam::1:mfa/x\n'),
    );
  });

  it('replaces a key on its own line, keeping its spacing, and removes keys set to null', () => {
    expect(editSection(FILE, { header: 'profile b', keys: { region: 'ap-south-1' } })).toBe(
      FILE.replace('region = us-west-2', 'region = ap-south-1'),
    );
    expect(editSection(FILE, { header: 'default', keys: { region: 'x' } })).toBe(
      FILE.replace('region=us-east-1', 'region=x'),
    );
    expect(editSection(FILE, { header: 'profile a', keys: { output: null } })).toBe(
      FILE.replace('output = json\n', ''),
    );
  });

  it('appends a missing section at the end', () => {
    expect(editSection(FILE, { header: 'profile c', keys: { region: 'eu-north-1', gone: null } })).toBe(
      `${FILE}\n[profile c]\nregion = eu-north-1\n`,
    );
    expect(editSection('', { header: 'c', keys: { k: 'v' } })).toBe('[c]\nk = v\n');
    expect(editSection('[a]\nk = v', { header: 'c', keys: { k: 'v' } })).toBe('[a]\nk = v\n\n[c]\nk = v\n');
  });

  it('keeps CRLF line ends and a missing final newline', () => {
    const crlf = '[a]\r\nk = v\r\n';
    expect(editSection(crlf, { header: 'a', keys: { n: '1' } })).toBe('[a]\r\nk = v\r\nn = 1\r\n');
    expect(editSection('[a]\nk = v', { header: 'a', keys: { k: 'w' } })).toBe('[a]\nk = w');
  });

  it('does not take a sub-section key or a comment for a key, but does take an indented key', () => {
    const text = '[profile a]\ns3 =\n  region = nested\n# region = commented\n';
    expect(editSection(text, { header: 'profile a', keys: { region: 'top' } })).toBe(
      '[profile a]\ns3 =\n  region = nested\nregion = top\n# region = commented\n',
    );
    expect(editSection(FILE, { header: 'profile a', keys: { region: 'x' } })).toBe(
      FILE.replace('  region   =   eu-west-1', '  region   =   x'),
    );
  });
});

describe('editProfile (the SDK parser must read back exactly the edit)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mfa-env-edit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const edit = async (
    text: string,
    keys: Record<string, string | null>,
    kind: 'config' | 'credentials' = 'credentials',
    profile = 's',
  ) => {
    const path = join(dir, kind);
    writeFileSync(path, text, { mode: 0o600 });
    await editProfile(path, { kind, profile, keys });
    return readFileSync(path, 'utf8');
  };

  it('writes an edit the parser reads back as meant', async () => {
    expect(await edit('[a]\nk = v\n', { t: 'x' })).toBe('[a]\nk = v\n\n[s]\nt = x\n');
    expect(await edit('[profile s]\nk = v\n', { k: null, n: '1' }, 'config')).toBe('[profile s]\nn = 1\n');
    expect(await edit('[default]\nk = v\n', { k: 'w' }, 'config', 'default')).toBe('[default]\nk = w\n');
  });

  it.each([
    ['a value with a line break', '[s]\n', { t: 'x\n[a]\nk = v' }],
    ['a value cut at a comment', '[s]\n', { t: 'x #y' }],
    ['a value with spaces around it', '[s]\n', { t: ' x ' }],
    ['a later duplicate section that overrides the key', '[s]\nt = a\n[s]\nt = b\n', { t: 'c' }],
    ['a key name with =', '[s]\n', { 'a=b': 'c' }],
  ])('refuses %s and leaves the file alone', async (_, text, keys) => {
    const path = join(dir, 'credentials');
    writeFileSync(path, text, { mode: 0o600 });
    await expect(editProfile(path, { kind: 'credentials', profile: 's', keys })).rejects.toThrow(
      /the AWS SDKs would read the result differently/,
    );
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('hands the section as the SDKs read it to the check, which may refuse the edit', async () => {
    const path = join(dir, 'credentials');
    writeFileSync(path, '[s]\naws_access_key_id = AKIA\n[s]\nregion = x\n', { mode: 0o600 });
    const seen: unknown[] = [];
    await expect(
      editProfile(path, {
        kind: 'credentials',
        profile: 's',
        keys: { t: '1' },
        check(current) {
          seen.push(current);
          throw new Error('no');
        },
      }),
    ).rejects.toThrow('no');
    expect(seen).toEqual([{ aws_access_key_id: 'AKIA', region: 'x' }]);
  });
});

describe('removeLeftoverTemps', () => {
  it('removes a young copy only when it holds the text given (a secret just moved out), and never another file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mfa-env-temps-'));
    try {
      const file = join(dir, 'credentials');
      writeFileSync(file, '[a]\n');
      const holding = join(dir, 'credentials.0123456789ab.tmp');
      const other = join(dir, 'credentials.ba9876543210.tmp');
      const unrelated = join(dir, 'credentials.bak');
      writeFileSync(holding, 'secret-KEY\n');
      writeFileSync(other, 'nothing\n');
      writeFileSync(unrelated, 'secret-KEY\n');
      removeLeftoverTemps(file);
      expect(readdirSync(dir).sort()).toEqual([
        'credentials',
        'credentials.0123456789ab.tmp',
        'credentials.ba9876543210.tmp',
        'credentials.bak',
      ]);
      removeLeftoverTemps(file, { holding: 'secret-KEY' });
      expect(readdirSync(dir).sort()).toEqual(['credentials', 'credentials.ba9876543210.tmp', 'credentials.bak']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
