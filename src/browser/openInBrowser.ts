// Hands a secret URL (a console sign-in link) to the user's browser without putting it on any command line.
//
// The obvious way, `xdg-open URL`, puts the URL in the argv of xdg-open and then of the browser it starts, which
// every local user can read in /proc/PID/cmdline (and a browser started that way keeps it for its whole life).
// A temporary HTML file that redirects keeps argv clean but leaves the URL on disk until someone deletes it, and
// sandboxed browsers (snap, flatpak) often cannot read /tmp. So mfa-env serves it once, from a loopback port: the
// opener gets `http://127.0.0.1:PORT/<random>`, the browser's first request for that path is answered with a
// redirect to the secret URL, and then the port is closed. Argv holds a one-time address that is worthless once
// the browser has used it; nothing is written anywhere; no shell is involved.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { platform } from 'node:os';
import { ConfigError } from '../errors';

export interface OpenOptions {
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** How long to wait for the browser to ask for the page. */
  waitMs: number;
  debug?(message: string): void;
}

/** The program that opens a URL in the user's browser, per platform, as argv (never a shell). */
export function openerFor(platform: NodeJS.Platform): string[] {
  if (platform === 'darwin') return ['open'];
  if (platform === 'win32') return ['rundll32.exe', 'url.dll,FileProtocolHandler'];
  return ['xdg-open'];
}

/**
 * Opens `secretUrl` in the browser through a one-time loopback redirect; resolves once the browser has been
 * redirected. Fails (and serves nothing) when the opener cannot be started or fails, or the browser does not ask
 * within `waitMs`.
 */
export async function openInBrowser(secretUrl: string, options: OpenOptions): Promise<void> {
  const path = `/${randomBytes(32).toString('base64url')}`;
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const local = `http://127.0.0.1:${port}${path}`;
  const [command, ...args] = openerFor(options.platform ?? platform());
  const advice = 'run mfa-env console PROFILE --print and open the URL yourself';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new ConfigError(
              `the browser did not ask for the sign-in page within ${Math.ceil(options.waitMs / 1000)} s (${command} was started); ${advice}`,
            ),
          ),
        options.waitMs,
      );
      const done = (err?: Error) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
        // Only the one path, asked for by name at this address (a page elsewhere cannot get there by DNS rebinding).
        if (req.method !== 'GET' || req.url !== path || req.headers.host !== `127.0.0.1:${port}`) {
          res.writeHead(404, { 'Cache-Control': 'no-store' });
          res.end();
          return;
        }
        res.writeHead(302, { Location: secretUrl, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
        res.end(() => done());
      });
      options.debug?.(
        `starting ${command} with a one-time http://127.0.0.1:${port}/ address that redirects to the sign-in URL`,
      );
      // Detached, so that a browser it starts outlives mfa-env; output ignored, so it cannot hold mfa-env's pipes.
      const child = spawn(command, [...args, local], { env: options.env, stdio: 'ignore', detached: true });
      child.on('error', (err: NodeJS.ErrnoException) =>
        done(new ConfigError(`cannot start ${command} to open the browser (${err.code ?? err.message}); ${advice}`)),
      );
      child.on('exit', (code, signal) => {
        if (code !== 0)
          done(new ConfigError(`${command} could not open the browser (${signal ?? `exit ${code}`}); ${advice}`));
      });
      child.unref();
    });
  } finally {
    server.close();
    server.closeAllConnections();
  }
}
