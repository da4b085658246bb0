import { dialogArgv, dialogText, qtText, zenityText } from '../../../src/session/desktopPrompt';

const request = { profile: 'prod', serial: 'arn:aws:iam::123456789012:mfa/some_user' };

describe('dialog text', () => {
  it('names the profile and the MFA device, quoted and escaped as in messages', () => {
    expect(dialogText(request)).toEqual({
      title: 'mfa-env: MFA code for "prod"',
      text: 'Enter the MFA code for profile "prod"\nfrom device "arn:aws:iam::123456789012:mfa/some_user".',
    });
    expect(dialogText({ ...request, profile: 'a\nb\u202e' }, 'An MFA code is 6 digits; try again.')).toEqual({
      title: 'mfa-env: MFA code for "a\\nb\\u202e"',
      text: 'Enter the MFA code for profile "a\\nb\\u202e"\nfrom device "arn:aws:iam::123456789012:mfa/some_user".\nAn MFA code is 6 digits; try again.',
    });
  });
});

describe('argv', () => {
  const hostile = {
    title: 'mfa-env: MFA code for "-x <b>_y\\n"',
    text: 'for "<span foreground=\'red\'>" & _z \\101\nnext line',
  };

  it('zenity: a hidden entry; its text unescaped by zenity and with mnemonics is doubled, every value in the --opt=value form', () => {
    expect(dialogArgv('zenity', hostile)).toEqual([
      '--entry',
      '--hide-text',
      '--title=mfa-env: MFA code for "-x <b>_y\\n"',
      '--text=for "<span foreground=\'red\'>" & __z \\\\101\nnext line',
    ]);
    expect(zenityText('a_b\\c')).toBe('a__b\\\\c');
  });

  it('kdialog: a password dialog whose text is always plain (escaped rich text)', () => {
    expect(dialogArgv('kdialog', hostile)).toEqual([
      '--title',
      hostile.title,
      '--password',
      '<qt>for &#34;&#60;span foreground=&#39;red&#39;&#62;&#34; &#38; _z \\101<br>next line</qt>',
    ]);
    expect(qtText('<b>&')).toBe('<qt>&#60;b&#62;&#38;</qt>');
  });

  it('osascript: the texts are arguments of a fixed script, never part of it', () => {
    const argv = dialogArgv('osascript', hostile);
    expect(argv.slice(-2)).toEqual([hostile.text, hostile.title]);
    const script = argv.slice(0, -2).filter((_, i) => i % 2 === 1);
    expect(argv.slice(0, -2).filter((_, i) => i % 2 === 0)).toEqual(['-e', '-e', '-e', '-e']);
    expect(script.join('\n')).toBe(
      'on run argv\ndisplay dialog (item 1 of argv) with title (item 2 of argv) default answer "" with hidden answer\nreturn text returned of result\nend run',
    );
  });
});
