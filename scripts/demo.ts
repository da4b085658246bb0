// `npm run demo`: the whole flow on a machine with no AWS account. Starts the test STS server, writes a throwaway
// AWS config with a `demo-user` profile, and runs bash in a pseudo-terminal where the demo types the MFA code at
// mfa-env's prompt, as a person would, reading it from the demo's virtual MFA device. Ends by itself.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_USER, demoConfig } from '../test/support/fixture';
import { Pty } from '../test/support/pty';
import { StsServer } from '../test/support/sts-server';
import { tempHome } from '../test/support/tempHome';
import { newTotpSecret, totpCode } from '../test/support/totp';

const root = join(__dirname, '..');

const SCRIPT = String.raw`
set -u
step() { printf '\n\033[1;36m$ %s\033[0m\n' "$1"; }
show_env() {
  vars=$(env | grep -E '^(AWS|MFA_ENV)_' | grep -v '^MFA_ENV_CACHE_DIR=' | sort | sed -E 's/^(AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)=(.{8}).*/\1=\2.../')
  echo "${'$'}{vars:-(none)}"
}

step 'cat ~/.aws/config ~/.aws/credentials'
cat ~/.aws/config; echo; sed -E 's/(aws_secret_access_key = .{6}).*/\1.../' ~/.aws/credentials

step 'eval "$(mfa-env demo-user)"'
eval "$(mfa-env demo-user)" || { echo "mfa-env failed"; exit 1; }

step "env | grep -E '^(AWS|MFA_ENV)_'"
show_env

step 'whoami   # STS GetCallerIdentity, signed with the temporary credentials now in this shell'
AWS_ENDPOINT_URL_STS="$DEMO_STS_URL" AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true node -e '
  const { STSClient, GetCallerIdentityCommand } = require("@aws-sdk/client-sts");
  new STSClient({}).send(new GetCallerIdentityCommand({})).then(
    (r) => console.log(JSON.stringify({ Account: r.Account, Arn: r.Arn, UserId: r.UserId }, null, 2)),
    (e) => { console.error(e.name + ": " + e.message); process.exit(1); });
' || exit 1

step 'eval "$(mfa-env --clear)"'
eval "$(mfa-env --clear)"

step "env | grep -E '^(AWS|MFA_ENV)_'"
show_env
`;

async function main(): Promise<number> {
  const secret = newTotpSecret();
  const server = await StsServer.start({
    users: [{ ...DEMO_USER, mfaDevices: [{ serial: DEMO_USER.serial, secret }] }],
  });
  const home = tempHome(demoConfig(server.url));
  const work = mkdtempSync(join(tmpdir(), 'mfa-env-demo-'));
  try {
    const scriptFile = join(work, 'demo.sh');
    writeFileSync(scriptFile, SCRIPT);
    process.stdout.write(`mfa-env demo: a test STS server is listening on ${server.url}; HOME is ${home.home}\n`);
    const env = {
      ...home.env,
      TERM: process.env.TERM || 'xterm',
      // For the GetCallerIdentity step, which finds STS the way any SDK program does: from the environment.
      DEMO_STS_URL: server.url,
    };
    const pty = new Pty(`bash --noprofile --norc ${scriptFile}`, { env, cwd: root, mirror: process.stdout });
    await pty.waitFor('MFA code for', { timeoutMs: 30000 });
    // Pause like a person reading their phone, then type the code it shows.
    await new Promise((r) => setTimeout(r, 700));
    const code = totpCode(secret);
    for (const digit of code) {
      pty.type(digit);
      await new Promise((r) => setTimeout(r, 80));
    }
    pty.type('\r');
    // A demo that hangs is killed after a minute; the timer goes as soon as bash is done, so the demo ends then.
    let timer: NodeJS.Timeout | undefined;
    const status = await Promise.race([
      pty.exited,
      new Promise<number>((r) => (timer = setTimeout(() => r(124), 60000))),
    ]);
    clearTimeout(timer);
    if (status === 124) pty.kill();
    process.stdout.write(
      `\nmfa-env demo: typed ${code} (the code the virtual MFA device showed) at the prompt, which did not echo it.\n` +
        `mfa-env demo: the test STS server saw ${server.calls.map((c) => `${c.action} (HTTP ${c.status})`).join(', ')}.\n`,
    );
    return status ?? 1;
  } finally {
    await server.stop();
    home.remove();
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
