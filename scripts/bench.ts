// `npm run bench`: start-up costs measured side by side in one run, printed as a table of medians and ratios.
// Installs nothing: rows whose tools (zsh, fish, strace) are missing say so. CI does not run it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DEMO_USER } from '../test/support/fixture';
import { newTotpSecret, totpCode } from '../test/support/totp';

const root = join(__dirname, '..');
const cli = join(root, 'dist', 'cli.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 20);

function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

/**
 * Median wall time in ms of running argv. hyperfine, when installed, runs it without a shell in between and with
 * warm-up; otherwise a plain spawn loop, whose own overhead is the same for the command and its baseline.
 */
function time(argv: string[], env: NodeJS.ProcessEnv): number {
  if (has('hyperfine')) {
    const dir = mkdtempSync(join(tmpdir(), 'mfa-env-bench-hf-'));
    try {
      const json = join(dir, 'out.json');
      const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
      const result = spawnSync('hyperfine', ['-N', '-w', '3', '-r', String(RUNS), '--export-json', json, quoted], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      if (result.status !== 0) throw new Error(`hyperfine ${quoted} failed: ${result.stderr}`);
      return (JSON.parse(readFileSync(json, 'utf8')) as { results: Array<{ median: number }> }).results[0].median * 1000;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return spawnLoop(argv, env);
}

function spawnLoop(argv: string[], env: NodeJS.ProcessEnv): number {
  const samples: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(argv[0], argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`);
    if (i > 0) samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/** Processes (fork, vfork, clone) the command starts, counted by strace; undefined without strace. */
function processesStarted(argv: string[], env: NodeJS.ProcessEnv): number | undefined {
  if (!has('strace')) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'mfa-env-bench-trace-'));
  try {
    const out = join(dir, 'trace');
    spawnSync('strace', ['-f', '-qq', '-e', 'trace=fork,vfork,clone,clone3', '-o', out, ...argv], { env, stdio: 'ignore' });
    return readFileSync(out, 'utf8')
      .split('\n')
      .filter((line) => /\b(fork|vfork|clone|clone3)\(/.test(line) && !/CLONE_THREAD/.test(line) && !/= -1/.test(line)).length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A HOME whose AWS files hold `count` profiles: users with MFA devices and roles on top of them. */
function homeWithProfiles(count: number): string {
  const home = mkdtempSync(join(tmpdir(), 'mfa-env-bench-'));
  mkdirSync(join(home, '.aws'));
  mkdirSync(join(home, '.cache', 'mfa-env'), { recursive: true, mode: 0o700 });
  const config: string[] = [];
  const credentials: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      config.push(`[profile user${i}]`, `mfa_serial = arn:aws:iam::123456789012:mfa/user${i}`, 'region = eu-west-1', '');
      credentials.push(`[user${i}]`, `aws_access_key_id = AKIA${String(i).padStart(16, '0')}`, 'aws_secret_access_key = secret', '');
    } else {
      config.push(`[profile role${i}]`, `role_arn = arn:aws:iam::123456789012:role/r${i}`, `source_profile = user${i - 1}`, '');
    }
  }
  writeFileSync(join(home, '.aws', 'config'), config.join('\n'));
  writeFileSync(join(home, '.aws', 'credentials'), credentials.join('\n'));
  return home;
}

const SHELLS = {
  bash: { argv: ['bash', '--noprofile', '--norc', '-c'], hook: '__mfa_env_hook' },
  zsh: { argv: ['zsh', '--no-globalrcs', '--no-rcs', '-c'], hook: '__mfa_env_hook' },
  fish: { argv: ['fish', '--no-config', '-c'], hook: 'mfa_env_prompt >/dev/null' },
} as const;

interface Row {
  what: string;
  value: string;
  baseline: string;
  result: string;
  target: string;
}

function shellRows(): Row[] {
  const rows: Row[] = [];
  const home = homeWithProfiles(200);
  const env = { PATH: process.env.PATH, HOME: home, TERM: 'dumb' };
  try {
    for (const [shell, { argv, hook }] of Object.entries(SHELLS)) {
      if (!has(shell)) {
        rows.push({ what: `${shell}: start-up with the integration (200 profiles)`, value: 'n/a', baseline: '', result: `${shell} not installed`, target: '' });
        continue;
      }
      const file = join(root, 'shell', `mfa-env.${shell}`);
      const source = `source '${file}'`;
      spawnSync(argv[0], [...argv.slice(1), source], { env }); // fills the memo file where the shell keeps one
      const without = time([...argv, 'true'], env);
      const withIt = time([...argv, source], env);
      const started = processesStarted([...argv, source], env);
      rows.push({
        what: `${shell}: start-up with the integration (200 profiles)`,
        value: `${withIt.toFixed(1)} ms`,
        baseline: `${without.toFixed(1)} ms`,
        result: `+${(withIt - without).toFixed(1)} ms, ${started ?? '?'} processes`,
        target: '≤ +10 ms, 0 processes',
      });
      const expires = Math.floor(Date.now() / 1000) + 2520;
      const loop = shell === 'fish' ? `for i in 1 2 3 4 5 6 7 8 9 10; ${hook}; end` : `for i in 1 2 3 4 5 6 7 8 9 10; do ${hook}; done`;
      const prompts = processesStarted([...argv, `${source}; ${loop}`], { ...env, MFA_ENV_PROFILE: 'user0', MFA_ENV_EXPIRES_AT: String(expires) });
      const base = processesStarted([...argv, source], env);
      rows.push({
        what: `${shell}: processes per prompt (segment)`,
        value: prompts === undefined || base === undefined ? 'n/a (no strace)' : String((prompts - base) / 10),
        baseline: '',
        result: '',
        target: shell === 'fish' ? 'report' : '0',
      });
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  return rows;
}

/** Peak resident memory of one run, in MB, by GNU time; undefined without it. */
function peakMemory(argv: string[], env: NodeJS.ProcessEnv): string {
  if (spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status !== 0) return '';
  const result = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], { env, encoding: 'utf8' });
  const kb = Number(result.stderr.trim().split('\n').at(-1));
  return Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MB peak` : '';
}

/** The test STS server in a process of its own: hyperfine blocks this one while it measures. */
async function startServer(secret: string): Promise<{ url: string; stop(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'mfa-env-bench-sts-'));
  const config = join(dir, 'sts.json');
  writeFileSync(config, JSON.stringify({ users: [{ ...DEMO_USER, mfaDevices: [{ serial: DEMO_USER.serial, secret }] }] }));
  const child = spawn(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', join(root, 'test', 'support', 'sts-server-main.ts'), config], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.on('exit', () => reject(new Error('the test STS server did not start')));
  });
  return {
    url: (JSON.parse(line) as { url: string }).url,
    stop: () => {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A HOME with `count` profiles whose demo-user profile points at the test STS server. */
function homeForSts(count: number, url: string): string {
  const home = homeWithProfiles(count - 1);
  const add = (file: string, text: string) => writeFileSync(join(home, '.aws', file), readFileSync(join(home, '.aws', file), 'utf8') + text);
  add('config', `\n[profile demo-user]\nmfa_serial = ${DEMO_USER.serial}\nregion = eu-west-1\nendpoint_url = ${url}\n`);
  add('credentials', `\n[demo-user]\naws_access_key_id = ${DEMO_USER.accessKeyId}\naws_secret_access_key = ${DEMO_USER.secretAccessKey}\n`);
  return home;
}

async function stsRows(node: number): Promise<Row[]> {
  const secret = newTotpSecret();
  const server = await startServer(secret);
  const small = homeForSts(5, server.url);
  const big = homeForSts(5000, server.url);
  const envOf = (home: string) => ({ PATH: process.env.PATH, HOME: home, AWS_PAGER: '' });
  try {
    for (const home of [small, big]) spawnSync(process.execPath, [cli, 'demo-user', '-t', totpCode(secret)], { env: envOf(home) });
    const cached = time([process.execPath, cli, 'demo-user'], envOf(small));
    const cachedBig = time([process.execPath, cli, 'demo-user'], envOf(big));
    const code = totpCode(secret);
    const fresh = [process.execPath, cli, 'demo-user', '--no-cache', '-t', code];
    const freshMs = time(fresh, envOf(small));
    // The floor under a fresh call: the same call from a bare Node script with the bundled STS client, none of
    // mfa-env's own work (an error answer is as good as a session for timing).
    const bare =
      `const s = require(${JSON.stringify(join(root, 'dist', 'stsSdk.js'))});` +
      `new s.STSClient({ region: 'eu-west-1', endpoint: ${JSON.stringify(server.url)}, maxAttempts: 1, credentials: ${JSON.stringify({ accessKeyId: DEMO_USER.accessKeyId, secretAccessKey: DEMO_USER.secretAccessKey })} })` +
      `.send(new s.GetSessionTokenCommand({ SerialNumber: ${JSON.stringify(DEMO_USER.serial)}, TokenCode: '000000' })).catch(() => {});`;
    const floor = time([process.execPath, '-e', bare], { ...envOf(small), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
    const rows: Row[] = [
      { what: 'mfa-env PROFILE, served from the cache', value: `${cached.toFixed(1)} ms`, baseline: `${node.toFixed(1)} ms`, result: `×${(cached / node).toFixed(2)}, ${peakMemory([process.execPath, cli, 'demo-user'], envOf(small))}`, target: '≤ ×1.5' },
      { what: 'mfa-env PROFILE, fresh GetSessionToken (test STS)', value: `${freshMs.toFixed(1)} ms`, baseline: `${node.toFixed(1)} ms`, result: `×${(freshMs / node).toFixed(2)}, ${peakMemory(fresh, envOf(small))}`, target: '≤ ×2.5' },
    ];
    rows.push({ what: 'the same call, bare script with the SDK (floor)', value: `${floor.toFixed(1)} ms`, baseline: `${node.toFixed(1)} ms`, result: `×${(floor / node).toFixed(2)}`, target: 'report' });
    if (has('/usr/bin/aws')) {
      const aws = time(['/usr/bin/aws', 'sts', 'get-session-token', '--profile', 'demo-user', '--serial-number', DEMO_USER.serial, '--token-code', code, '--endpoint-url', server.url, '--output', 'json'], envOf(small));
      rows.push({ what: 'the same call with the AWS CLI v2', value: `${aws.toFixed(1)} ms`, baseline: `${freshMs.toFixed(1)} ms`, result: `mfa-env ${(aws / freshMs).toFixed(1)}× faster`, target: '≥ 4× faster' });
    } else {
      rows.push({ what: 'the same call with the AWS CLI v2', value: 'n/a', baseline: '', result: '/usr/bin/aws not installed', target: '' });
    }
    rows.push({ what: 'cached path, 5,000 profiles vs 5', value: `${cachedBig.toFixed(1)} ms`, baseline: `${cached.toFixed(1)} ms`, result: `×${(cachedBig / cached).toFixed(2)}`, target: '≤ ×1.5' });
    return rows;
  } finally {
    server.stop();
    for (const home of [small, big]) rmSync(home, { recursive: true, force: true });
  }
}

function cliRows(): Row[] {
  const env = { PATH: process.env.PATH, HOME: mkdtempSync(join(tmpdir(), 'mfa-env-bench-empty-')) };
  const node = time([process.execPath, '-e', '0'], env);
  const clear = time([process.execPath, cli, '--clear'], env);
  rmSync(env.HOME, { recursive: true, force: true });
  return [
    { what: 'node -e 0', value: `${node.toFixed(1)} ms`, baseline: '', result: '', target: '' },
    { what: 'mfa-env --clear', value: `${clear.toFixed(1)} ms`, baseline: `${node.toFixed(1)} ms`, result: `×${(clear / node).toFixed(2)}, ${peakMemory([process.execPath, cli, '--clear'], env)}`, target: '≤ ×1.3' },
  ];
}

async function main(): Promise<void> {
  if (spawnSync('test', ['-f', cli]).status !== 0) throw new Error('build first: npm run build');
  const first = cliRows();
  const node = Number(first[0].value.split(' ')[0]);
  const rows = [...first, ...(await stsRows(node)), ...shellRows()];
  const header = ['measure', 'value (median)', 'baseline', 'result', 'target'];
  const table = [header, ...rows.map((r) => [r.what, r.value, r.baseline, r.result, r.target])];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  console.log(`${RUNS} runs each (${has('hyperfine') ? 'hyperfine' : 'spawn loop'}), on ${process.platform} ${process.arch}, Node ${process.version}`);
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of table.slice(1)) console.log(line(row));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
