import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Fixture, startFixture } from '../support/fixture';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(() => f.stop());

/** A script standing in for ykman or a password manager. */
function tool(name: string, body: string): string {
  const path = join(f.home.home, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return path;
}

function withMfaProcess(command: string) {
  f.home.write({ config: `${readFileSync(f.home.configPath, 'utf8')}mfa_process = ${command}\n` });
}

describe('mfa_process', () => {
  it('takes the code from the command in the profile, with its stderr on ours and no prompt', async () => {
    const code = f.code();
    withMfaProcess(tool('otp', `echo "touch your key" >&2; echo ${code}`));
    const result = await f.run(['demo-user'], { stdin: 'closed' });
    expect(result).toMatchObject({ status: 0, stderr: 'touch your key\n' });
    expect(f.server.calls[0].params.TokenCode).toBe(code);
  });

  it('--mfa-process overrides the profile', async () => {
    withMfaProcess(tool('broken', 'exit 1'));
    const code = f.code();
    const result = await f.run(['demo-user', '--mfa-process', `echo ${code}`]);
    expect(result.status).toBe(0);
    expect(f.server.calls[0].params.TokenCode).toBe(code);
  });

  it('a failing command is a clear error, and nothing is evaluated', async () => {
    withMfaProcess(tool('locked', 'echo "vault is locked" >&2; exit 3'));
    const result = await f.run(['demo-user']);
    expect(result).toMatchObject({ status: 4, stdout: '' });
    expect(result.stderr).toMatch(
      /^vault is locked\nmfa-env: mfa_process of profile "demo-user" in ".*config" ".*locked" failed \(exit 3\); check the command\n$/,
    );
    expect(f.server.calls).toEqual([]);
  });

  it('output that is not a code is refused without being shown', async () => {
    withMfaProcess(tool('garbage', 'echo "secret-looking-garbage 12345"'));
    const result = await f.run(['demo-user']);
    expect(result).toMatchObject({ status: 4, stdout: '' });
    expect(result.stderr).toMatch(/did not print a 6-digit code\n$/);
    expect(result.stderr).not.toContain('secret-looking-garbage');
    expect(f.server.calls).toEqual([]);
  });

  it('--no-input does not run a configured mfa_process', async () => {
    const marker = join(f.home.home, 'ran');
    withMfaProcess(tool('otp', `touch ${marker}; echo 123456`));
    const result = await f.run(['demo-user', '--no-input']);
    expect(result.status).toBe(4);
    expect(() => readFileSync(marker)).toThrow();
  });
});
