// The one-time loopback hand-off: the opener gets a local address, not the URL; the address answers once, with a
// redirect, and only for its own path and host; an opener that never brings the browser is given up on.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openerFor, openInBrowser } from '../../../src/browser/openInBrowser';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mfa-env-open-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** An xdg-open that hands its argument to `script` (sh, $1 is the address) and exits 0. */
function opener(script: string): NodeJS.ProcessEnv {
  writeFileSync(join(dir, 'xdg-open'), `#!/bin/sh\n${script}\n`);
  chmodSync(join(dir, 'xdg-open'), 0o755);
  return { PATH: `${dir}:/usr/bin:/bin`, OUT: join(dir, 'out') };
}

const SECRET = 'https://signin.example/federation?Action=login&SigninToken=SECRET';

it('runs the platform’s opener without a shell', () => {
  expect(openerFor('linux')).toEqual(['xdg-open']);
  expect(openerFor('darwin')).toEqual(['open']);
  expect(openerFor('win32')).toEqual(['rundll32.exe', 'url.dll,FileProtocolHandler']);
});

it('answers its own path once with the redirect, anything else with 404, and then closes', async () => {
  // The stand-in browser: a wrong path first, then the right one, then the right one again.
  const env = opener(
    `base=\${1%/*}; { printf '%s\\n' "$1"; ${process.execPath} -e '
const http = require("node:http");
const get = (u) => new Promise((r) => http.get(u, (res) => { res.resume(); r(res.statusCode + " " + (res.headers.location || "")); }).on("error", (e) => r(e.code)));
(async () => { for (const u of process.argv.slice(1)) console.log(await get(u)); })();
' "$base/nope" "$1" "$1"; } > "$OUT.tmp"; mv "$OUT.tmp" "$OUT"`,
  );
  await openInBrowser(SECRET, { env, platform: 'linux', waitMs: 10_000 });
  const deadline = Date.now() + 10_000;
  let out = '';
  while (Date.now() < deadline) {
    try {
      out = readFileSync(env.OUT!, 'utf8');
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  const [argv, wrong, right, again] = out.trim().split('\n');
  expect(argv).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[\w-]{43}$/);
  expect(argv).not.toContain('SECRET');
  expect(wrong).toBe('404 ');
  expect(right).toBe(`302 ${SECRET}`);
  expect(again).toMatch(/^ECONN(REFUSED|RESET)$/);
});

it('gives up when the browser never asks, and serves nothing after', async () => {
  const env = opener('printf "%s" "$1" > "$OUT"');
  await expect(openInBrowser(SECRET, { env, platform: 'linux', waitMs: 300 })).rejects.toThrow(
    'the browser did not ask for the sign-in page within 1 s (xdg-open was started); run mfa-env console PROFILE --print and open the URL yourself',
  );
  const address = readFileSync(env.OUT!, 'utf8');
  await expect(fetch(address)).rejects.toThrow();
});
