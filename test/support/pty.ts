import { type ChildProcess, spawn } from 'node:child_process';

export interface PtyOptions {
  env: Record<string, string | undefined>;
  cwd?: string;
  /** Echo everything the terminal shows to this stream as it arrives (the demo does; tests do not). */
  mirror?: NodeJS.WritableStream;
}

/**
 * A command in a real pseudo-terminal, typed at like a person would. Uses util-linux `script` (in every Debian
 * install), so no native addon is needed: its stdin is forwarded as keystrokes and its stdout is what the terminal
 * shows, echo included.
 */
export class Pty {
  private text = '';
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();
  readonly exited: Promise<number | null>;

  constructor(command: string, options: PtyOptions) {
    // script runs the command with $SHELL -c; pin it so the user's login shell does not matter.
    this.child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { TERM: 'xterm', ...options.env, SHELL: '/bin/sh' },
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      // A session of its own: the terminal it gets is this pty, never the one running the tests.
      detached: true,
    });
    const onData = (chunk: Buffer) => {
      this.text += chunk.toString('utf8');
      options.mirror?.write(chunk);
      for (const wake of this.waiters) wake();
    };
    this.child.stdout!.on('data', onData);
    this.child.stderr!.on('data', onData);
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }

  /** Everything the terminal has shown so far. */
  get output(): string {
    return this.text;
  }

  /** Keystrokes: use `\r` for Enter, `\x03` for Ctrl-C, `\x04` for Ctrl-D. */
  type(keys: string): void {
    this.child.stdin!.write(keys);
  }

  /** Waits until the output (after `from`) matches, or fails with what was shown. */
  async waitFor(pattern: string | RegExp, { timeoutMs = 10000, from = 0 } = {}): Promise<string> {
    const matches = () => {
      const seen = this.text.slice(from);
      return typeof pattern === 'string' ? seen.includes(pattern) : pattern.test(seen);
    };
    if (matches()) return this.text;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${String(pattern)}; the terminal showed:\n${this.text.slice(from)}`));
      }, timeoutMs);
      const check = () => {
        if (!matches()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
      this.exited.then(() => setTimeout(check, 50));
    });
    return this.text;
  }

  /** Ends the session: closes its input, then kills it if it lingers. */
  async close(timeoutMs = 5000): Promise<number | null> {
    this.child.stdin!.end();
    const timer = setTimeout(() => this.kill(), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  kill(): void {
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
