import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { editSection, removeLeftoverTemps, sectionKeys } from '../../../src/profiles/editIniFile';

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
    expect(editSection(FILE, { header: 'profile b', keys: { region: 'ap-south-1' } })).toBe(FILE.replace('region = us-west-2', 'region = ap-south-1'));
    expect(editSection(FILE, { header: 'default', keys: { region: 'x' } })).toBe(FILE.replace('region=us-east-1', 'region=x'));
    expect(editSection(FILE, { header: 'profile a', keys: { output: null } })).toBe(FILE.replace('output = json\n', ''));
  });

  it('appends a missing section at the end', () => {
    expect(editSection(FILE, { header: 'profile c', keys: { region: 'eu-north-1', gone: null } })).toBe(`${FILE}\n[profile c]\nregion = eu-north-1\n`);
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
    expect(editSection(text, { header: 'profile a', keys: { region: 'top' } })).toBe('[profile a]\ns3 =\n  region = nested\nregion = top\n# region = commented\n');
    expect(editSection(FILE, { header: 'profile a', keys: { region: 'x' } })).toBe(FILE.replace('  region   =   eu-west-1', '  region   =   x'));
  });
});

describe('sectionKeys', () => {
  it('reads the keys of one section', () => {
    expect(sectionKeys(FILE, 'profile a')).toEqual({ region: 'eu-west-1', output: 'json' });
    expect(sectionKeys(FILE, 'profile b')).toEqual({ region: 'us-west-2' });
    expect(sectionKeys(FILE, 'nope')).toBeUndefined();
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
      expect(readdirSync(dir).sort()).toEqual(['credentials', 'credentials.0123456789ab.tmp', 'credentials.ba9876543210.tmp', 'credentials.bak']);
      removeLeftoverTemps(file, { holding: 'secret-KEY' });
      expect(readdirSync(dir).sort()).toEqual(['credentials', 'credentials.ba9876543210.tmp', 'credentials.bak']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
