// An interactive bash, zsh or fish in a real pseudo-terminal, driven the way a person types at it, for the tests of
// the shell integration in shell/. Each command is bracketed by markers so its output and exit status can be read
// back exactly, whatever the line editor draws around it.
import { join } from 'node:path';
import { Pty } from './pty';

export type InteractiveShell = 'bash' | 'zsh' | 'fish';

/** shell/ of this repository; MFA_ENV_TEST_SHELL_DIR points the tests at another copy (to try a fix, say). */
export const SHELL_DIR = process.env.MFA_ENV_TEST_SHELL_DIR || join(__dirname, '..', '..', 'shell');

export function integrationFile(shell: InteractiveShell): string {
  return join(SHELL_DIR, `mfa-env.${shell}`);
}

/** The prompt every shell is given, so a test can wait for it. */
export const PROMPT = 'RDY> ';

/** How each shell is started: interactive, no rc files of the user's or the system's. */
const COMMAND: Record<InteractiveShell, string> = {
  bash: 'bash --noprofile --norc -i',
  zsh: 'zsh -f -i',
  // fish's prompt is a function, not a variable; fish_title is emptied so it does not draw the title bar.
  fish: `fish --no-config --private -i -C 'function fish_prompt; echo -n "${PROMPT}"; end; function fish_title; end'`,
};

/** The variable that holds the last command's exit status. */
export const STATUS_VAR: Record<InteractiveShell, string> = { bash: '$?', zsh: '$?', fish: '$status' };

// Terminal control sequences: CSI, OSC (title), charset selection, keypad modes, bell, backspace.
// eslint-disable-next-line no-control-regex
const CONTROL =
  /\x1b\[[0-9;?<>=!]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[=>78DEHM]|[\x07\b]/g;

/** What the terminal showed, as text: control sequences dropped, CR LF as LF. */
export function plain(terminal: string): string {
  return terminal.replace(CONTROL, '').replace(/\r+\n/g, '\n');
}

export interface CommandResult {
  /** What the command printed (stdout and stderr, both go to the terminal), control sequences removed, LF line ends. */
  out: string;
  /** Its exit status as the shell saw it. */
  status: number;
}

export interface Pending {
  n: number;
  /** Offset in the terminal output where the command was typed. */
  from: number;
}

export class ShellSession {
  readonly pty: Pty;
  private n = 0;

  constructor(
    readonly shell: InteractiveShell,
    env: Record<string, string | undefined>,
    cwd: string,
  ) {
    this.pty = new Pty(COMMAND[shell], {
      cwd,
      // PS1 for bash and PROMPT for zsh are taken from the environment; fish gets its prompt from -C above.
      env: { ...env, PS1: PROMPT, PROMPT, ZDOTDIR: env.HOME },
    });
  }

  /** Waits for the first prompt. */
  async ready(): Promise<void> {
    await this.pty.waitFor(PROMPT);
  }

  /**
   * Types `cmd` as one line, bracketed by markers. The markers are typed with an empty '' inside (`__S1''__`), which
   * every shell drops, so the line the terminal echoes never matches what the markers print.
   */
  start(cmd: string): Pending {
    const n = ++this.n;
    const from = this.pty.output.length;
    this.pty.type(`echo __S${n}''__; ${cmd}; echo __E${n}''__ ${STATUS_VAR[this.shell]}\r`);
    return { n, from };
  }

  /** Waits for the end marker of a command started with `start`; returns its output and status. */
  async finish(p: Pending, timeoutMs = 15000): Promise<CommandResult> {
    const end = new RegExp(`__E${p.n}__ (\\d+)\\r?\\n`);
    await this.pty.waitFor(end, { from: p.from, timeoutMs });
    const shown = plain(this.pty.output.slice(p.from));
    const m = new RegExp(`__S${p.n}__\\n([\\s\\S]*?)__E${p.n}__ (\\d+)\\n`).exec(shown);
    if (!m) throw new Error(`no output between the markers of command ${p.n}; the terminal showed:\n${shown}`);
    return { out: m[1], status: Number(m[2]) };
  }

  async run(cmd: string, timeoutMs?: number): Promise<CommandResult> {
    return this.finish(this.start(cmd), timeoutMs);
  }

  /**
   * Runs `cmd` and returns, besides its result, everything the terminal showed from its end marker up to the next
   * prompt (what a prompt hook prints would be there), as plain text.
   */
  async runToPrompt(cmd: string): Promise<CommandResult & { beforePrompt: string }> {
    const p = this.start(cmd);
    const result = await this.finish(p);
    const end = new RegExp(`__E${p.n}__ \\d+\\r?\\n`);
    const endAt = p.from + end.exec(this.pty.output.slice(p.from))!.index;
    await this.pty.waitFor(PROMPT, { from: endAt });
    const tail = this.pty.output.slice(endAt);
    const afterMarker = tail.slice(end.exec(tail)![0].length);
    return { ...result, beforePrompt: plain(afterMarker.slice(0, afterMarker.indexOf(PROMPT))) };
  }

  /**
   * Ends the shell and waits until it is gone, so nothing (bash saving its history, say) still writes into HOME when
   * the test removes it: `exit` at the prompt, else a kill after a moment.
   */
  async close(): Promise<void> {
    this.pty.type('exit\r');
    const timer = setTimeout(() => this.pty.kill(), 3000);
    await this.pty.exited;
    clearTimeout(timer);
  }

  kill(): void {
    this.pty.kill();
  }
}

/**
 * What a shell draws on its own between a command's output and the next prompt, once control sequences are gone:
 * zsh's PROMPT_SP mark (`%` or `#` and spaces) and fish's missing-newline mark (`⏎` and spaces). Anything else
 * there was printed by someone.
 */
export const SHELL_DECORATION = /^[\s%#⏎\uFFFD]*$/;
