import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnvChange } from '../../../src/env/envChange';
import { quoteFish, renderFish } from '../../../src/env/formats/fish';
import { quoteSh, renderSh } from '../../../src/env/formats/sh';
import { hostileValues } from '../../support/hostileValues';

const dir = mkdtempSync(join(tmpdir(), 'mfa-env-quote-'));
const canary = join(dir, 'canary');
const values = hostileValues(canary);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Scripts go through a file: fish cannot read a script from the socket Node uses for a child's stdin.
function runScript(argv: string[], script: string, env: Record<string, string> = {}) {
  const file = join(dir, 'script');
  writeFileSync(file, script);
  return spawnSync(argv[0], [...argv.slice(1), file], { env: { PATH: process.env.PATH ?? '', HOME: dir, ...env } });
}

const shells: Array<{ name: string; argv: string[]; render: (c: EnvChange) => string }> = [
  { name: 'sh', argv: ['sh'], render: renderSh },
  { name: 'dash', argv: ['dash'], render: renderSh },
  { name: 'bash', argv: ['bash', '--noprofile', '--norc'], render: renderSh },
  { name: 'zsh', argv: ['zsh', '-f'], render: renderSh },
  // RC_QUOTES reads '' inside single quotes as a quote: the renderer must not depend on it being off.
  { name: 'zsh with RC_QUOTES', argv: ['zsh', '-f', '-o', 'rcquotes'], render: renderSh },
  { name: 'fish', argv: ['fish', '--no-config', '--private'], render: renderFish },
];

describe.each(shells)('rendered for $name', ({ argv, render }) => {
  it('evaluates every hostile value back byte for byte and runs nothing', () => {
    const change: EnvChange = new Map(values.map((value, i) => [`MFA_ENV_TEST_${i}`, value]));
    // The child prints each variable NUL-terminated, in order, from its own environment.
    const script = render(change) + values.map((_, i) => `printf '%s\\0' "$MFA_ENV_TEST_${i}"\n`).join('');
    const result = runScript(argv, script);
    expect(result.stderr.toString()).toBe('');
    expect(result.status).toBe(0);
    const printed = result.stdout.toString('utf8').split('\0').slice(0, -1);
    expect(printed).toEqual(values);
    expect(existsSync(canary)).toBe(false);
  });

  it('exports to child processes and unsets what is removed', () => {
    const script = `${render(
      new Map<string, string | null>([
        ['MFA_ENV_TEST_A', "it's"],
        ['MFA_ENV_TEST_B', null],
      ]),
    )}env | grep "^MFA_ENV_TEST_" || true\n`;
    const result = runScript(argv, script, { MFA_ENV_TEST_B: 'gone' });
    expect(result.status).toBe(0);
    expect(result.stdout.toString()).toBe("MFA_ENV_TEST_A=it's\n");
  });
});

describe('quoting', () => {
  it('writes simple values in plain single quotes', () => {
    expect(quoteSh('us-east-1')).toBe("'us-east-1'");
    expect(quoteFish('us-east-1')).toBe("'us-east-1'");
  });

  it('never writes an empty quoted run in sh output', () => {
    for (const value of values.filter((v) => v !== '')) expect(quoteSh(value)).not.toMatch(/(^|[^\\])''/);
  });

  it('refuses a value with a NUL, which no environment can hold', () => {
    expect(() => renderSh(new Map([['A', 'a\0b']]))).toThrow(/contains a NUL byte/);
    expect(() => renderFish(new Map([['A', 'a\0b']]))).toThrow(/contains a NUL byte/);
  });

  it('refuses a variable name that is not one', () => {
    expect(() => renderSh(new Map([['A;B', 'x']]))).toThrow(/refusing to render variable name/);
  });
});
