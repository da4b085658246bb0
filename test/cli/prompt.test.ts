import { type Fixture, startFixture } from '../support/fixture';
import { Pty } from '../support/pty';

let f: Fixture;
let pty: Pty | undefined;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(async () => {
  pty?.kill();
  pty = undefined;
  await f.stop();
});

/** bash in a terminal running the README's line, then reporting what it got and whether echo is back on. */
function evalInTerminal(): Pty {
  const script = [
    // Not `eval "$(...)"` itself: eval would report its own status, not mfa-env's.
    'code="$(mfa-env demo-user)"',
    'echo "status=$?"',
    'eval "$code"',
    'echo "key=${AWS_ACCESS_KEY_ID:-none}"',
    'case "$(stty -a)" in *-echo\\ *) echo "echo=off";; *) echo "echo=on";; esac',
  ].join('; ');
  pty = new Pty(`bash --noprofile --norc -c '${script}'`, { env: f.home.env });
  return pty;
}

describe('the MFA prompt on the terminal', () => {
  it('asks on the terminal, hides the code, and the session lands in the shell', async () => {
    const t = evalInTerminal();
    await t.waitFor('MFA code for arn:aws:iam::123456789012:mfa/demo-user: ');
    const code = f.code();
    const start = t.output.length;
    t.type(`${code}\r`);
    await t.waitFor('echo=', { from: start });
    const after = t.output.slice(start);
    expect(after).not.toContain(code);
    expect(after).toContain('******');
    expect(after).toContain('status=0');
    expect(after).toContain(`key=${f.server.issued[0].accessKeyId}`);
    expect(after).toContain('echo=on');
  });

  it('refuses a code that is not 6 digits and asks again, without calling STS', async () => {
    const t = evalInTerminal();
    await t.waitFor('MFA code for');
    t.type('12345\r');
    await t.waitFor('An MFA code is 6 digits; try again.');
    expect(f.server.calls).toEqual([]);
    t.type(`${f.code()}\r`);
    await t.waitFor('status=0');
  });

  it('gives up after three malformed codes', async () => {
    const t = evalInTerminal();
    await t.waitFor('MFA code for');
    for (const bad of ['1', 'abcdef']) {
      const from = t.output.length;
      t.type(`${bad}\r`);
      // Refused, and asked for again.
      await t.waitFor(/An MFA code is 6 digits; try again\.[\s\S]*MFA code for /, { from });
    }
    t.type('1234567\r');
    // The script's last line: everything before it has been printed by then.
    await t.waitFor('echo=');
    expect(t.output).toContain('status=4');
    expect(t.output).toContain('mfa-env: no valid MFA code for profile "demo-user" after 3 tries; a code is 6 digits');
    expect(t.output).toContain('key=none');
  });

  it('asks again when AWS rejects the code', async () => {
    const t = evalInTerminal();
    await t.waitFor('MFA code for');
    t.type('000000\r');
    await t.waitFor('AWS rejected that code; wait for the next one.');
    t.type(`${f.code()}\r`);
    await t.waitFor('status=0');
    expect(f.server.callsOf('GetSessionToken').map((c) => c.status)).toEqual([403, 200]);
  });

  it('Ctrl-C at the prompt exits 130, prints no code to evaluate and gives echo back', async () => {
    const t = evalInTerminal();
    await t.waitFor('MFA code for');
    t.type('12\x03');
    await t.waitFor('echo=');
    expect(t.output).toContain('status=130');
    expect(t.output).toContain('key=none');
    expect(t.output).toContain('echo=on');
    expect(f.server.calls).toEqual([]);
  });

  it('Ctrl-D at the prompt is a clear error', async () => {
    const t = evalInTerminal();
    await t.waitFor('MFA code for');
    t.type('\x04');
    await t.waitFor('echo=');
    expect(t.output).toContain('mfa-env: no MFA code entered (end of input)');
    expect(t.output).toContain('status=4');
    expect(t.output).toContain('echo=on');
  });
});
