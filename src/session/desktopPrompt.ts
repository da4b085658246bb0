import type { ChildProcess } from 'node:child_process';
import { MfaInputError } from '../errors';
import { show } from '../text/showText';
import { spawn } from './lazySpawn';
import { type CodeRequest, type CodeSource, MAX_TRIES, parseCode } from './mfaCode';
import type { DialogPrompt } from './promptNames';

const TIMEOUT_MS = 120_000;
/** A code is 6 digits; a program printing more is not giving one, and is not read further. */
const MAX_OUTPUT = 1024;

export interface DialogText {
  title: string;
  /** May hold line breaks. */
  text: string;
}

/**
 * Codes typed into a desktop dialog, for when there is no terminal (an IDE running `credential_process`) or when
 * one is asked for by name (`--prompt zenity`). The program runs without a shell, its input hidden; the code comes
 * back on its stdout, and its command line holds only the profile and device names, never a secret. A malformed
 * code is asked for again (3 tries, as at the terminal); Cancel, Escape or closing the window is exit 4.
 */
export function codeFromDialog(prompt: DialogPrompt, env: NodeJS.ProcessEnv): CodeSource {
  let running: ChildProcess | undefined;
  const ask = (request: CodeRequest, dialog: DialogText): Promise<string> =>
    new Promise((resolve, reject) => {
      const fail = (why: string) =>
        reject(new MfaInputError(`no MFA code for profile ${show(request.profile)}: ${why}`));
      if (prompt !== 'osascript' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
        fail(`mfa_prompt ${prompt} needs a desktop session, and neither DISPLAY nor WAYLAND_DISPLAY is set`);
        return;
      }
      const child = spawn(prompt, dialogArgv(prompt, dialog), { stdio: ['ignore', 'pipe', 'pipe'], env });
      running = child;
      let out = '';
      let err = '';
      const timer = setTimeout(() => {
        child.kill('SIGTERM');
        fail(`the ${prompt} dialog got no answer within ${TIMEOUT_MS / 1000} s`);
      }, TIMEOUT_MS);
      child.stdout!.on('data', (chunk: Buffer) => {
        if (out.length < MAX_OUTPUT) out += chunk.toString('utf8');
      });
      child.stderr!.on('data', (chunk: Buffer) => {
        if (err.length < MAX_OUTPUT) err += chunk.toString('utf8');
      });
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        fail(
          e.code === 'ENOENT'
            ? `${prompt} is not installed (or not on PATH); install it or choose another mfa_prompt`
            : `${prompt} could not be run (${e.code ?? e.message})`,
        );
      });
      child.on('close', (status, signal) => {
        clearTimeout(timer);
        running = undefined;
        if (status === 0) resolve(out.split('\n')[0]);
        // Every one of them exits 1 for Cancel, Escape or a closed window; GTK and Qt say "display" when there is none.
        else if (status === 1 && !/display/i.test(err)) fail(`the ${prompt} dialog was cancelled`);
        else if (status === 1)
          fail(`${prompt} could not open its window on display ${show(env.DISPLAY ?? env.WAYLAND_DISPLAY ?? '')}`);
        else fail(`${prompt} failed (${signal ? `signal ${signal}` : `exit ${status}`})`);
      });
    });
  return {
    name: prompt,
    attempts: MAX_TRIES,
    async next(request) {
      let note = request.retry ? 'AWS rejected the last code; wait for the next one.' : undefined;
      for (let tries = 1; ; tries++) {
        const code = parseCode(await ask(request, dialogText(request, note)));
        if (code !== undefined) return code;
        if (tries >= MAX_TRIES)
          throw new MfaInputError(
            `no valid MFA code for profile ${show(request.profile)} after ${MAX_TRIES} tries; a code is 6 digits`,
          );
        note = 'An MFA code is 6 digits; try again.';
      }
    },
    // exec --server ending while a dialog is up: nobody is left to give the code to.
    close: () => running?.kill('SIGTERM'),
  };
}

/** What the dialog says: the profile and the MFA device, quoted and with control characters escaped as in every message. */
export function dialogText(request: CodeRequest, note?: string): DialogText {
  const lines = [`Enter the MFA code for profile ${show(request.profile)}`, `from device ${show(request.serial)}.`];
  if (note) lines.push(note);
  return { title: `mfa-env: MFA code for ${show(request.profile)}`, text: lines.join('\n') };
}

/** The program's arguments: a hidden-input dialog with the title and text given as data, never as markup or code. */
export function dialogArgv(prompt: DialogPrompt, { title, text }: DialogText): string[] {
  switch (prompt) {
    case 'zenity':
      // The `=` form: a value can never be read as another option.
      return ['--entry', '--hide-text', `--title=${title}`, `--text=${zenityText(text)}`];
    case 'kdialog':
      return ['--title', title, '--password', qtText(text)];
    case 'osascript':
      // The texts are the script's arguments, not part of its source: nothing in them is AppleScript.
      return [
        '-e',
        'on run argv',
        '-e',
        'display dialog (item 1 of argv) with title (item 2 of argv) default answer "" with hidden answer',
        '-e',
        'return text returned of result',
        '-e',
        'end run',
        text,
        title,
      ];
  }
}

/**
 * zenity's --entry shows its text without Pango markup, but unescapes it first (g_strcompress: `\n`, `\\`, octal)
 * and reads `_` as a mnemonic mark: both are doubled so the text shows as written.
 */
export function zenityText(text: string): string {
  return text.replace(/[\\_]/g, (c) => c + c);
}

/** kdialog's labels guess whether text is rich text; given as rich text, escaped, it is always plain. */
export function qtText(text: string): string {
  const escaped = text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<qt>${escaped.split('\n').join('<br>')}</qt>`;
}
