// `npm run bench`: start-up costs measured side by side in one run, printed as a table of medians and ratios.
// Installs nothing: rows whose tools (zsh, fish, strace) are missing say so. CI does not run it.
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DEMO_USER } from '../test/support/fixture';
import { newTotpSecret, totpCode } from '../test/support/totp';

const root = join(__dirname, '..');
const cli = join(root, 'dist', 'cli.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
// The Node that runs what is measured (BENCH_NODE: another version's binary, e.g. from `npm install node@24`).
const NODE = process.env.BENCH_NODE ?? process.execPath;

function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

interface TimeOptions {
  /** Run before each timed run, not timed (hyperfine --prepare): e.g. touching a config file. */
  prepare?: string[];
  runs?: number;
}

const quoteArgv = (argv: string[]) => argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');

/**
 * Median wall time in ms of running argv. hyperfine, when installed, runs it without a shell in between and with
 * warm-up; otherwise a plain spawn loop, whose own overhead is the same for the command and its baseline.
 */
function time(argv: string[], env: NodeJS.ProcessEnv, { prepare, runs = RUNS }: TimeOptions = {}): number {
  if (has('hyperfine')) {
    const dir = mkdtempSync(join(tmpdir(), 'mfa-env-bench-hf-'));
    try {
      const json = join(dir, 'out.json');
      const options = [
        '-N',
        '-w',
        runs < RUNS ? '1' : '3',
        '-r',
        String(runs),
        '--export-json',
        json,
        ...(prepare ? ['--prepare', quoteArgv(prepare)] : []),
      ];
      const result = spawnSync('hyperfine', [...options, quoteArgv(argv)], {
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      if (result.status !== 0) throw new Error(`hyperfine ${quoteArgv(argv)} failed: ${result.stderr}`);
      return (
        (JSON.parse(readFileSync(json, 'utf8')) as { results: Array<{ median: number }> }).results[0].median * 1000
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return spawnLoop(argv, env, prepare, runs);
}

function spawnLoop(argv: string[], env: NodeJS.ProcessEnv, prepare: string[] | undefined, runs: number): number {
  const samples: number[] = [];
  for (let i = 0; i <= runs; i++) {
    if (prepare) spawnSync(prepare[0], prepare.slice(1), { env });
    const start = process.hrtime.bigint();
    const result = spawnSync(argv[0], argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`);
    if (i > 0) samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/**
 * Two commands timed in turns (a b, b a, a b, ...) after a warm-up, so that whatever the machine does meanwhile
 * weighs on both alike: the medians of each, and the median of the per-round differences (second - first), which
 * is what a "within N ms of" target is judged on. Timed one after the other, as hyperfine does, a few busy seconds
 * on a 2-core machine moved such a difference by 30 ms between runs of the bench.
 */
function paired(
  first: string[],
  second: string[],
  env: NodeJS.ProcessEnv,
  runs = RUNS * 2,
): { first: number; second: number; difference: number } {
  const once = (argv: string[]) => {
    const start = process.hrtime.bigint();
    const result = spawnSync(argv[0], argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`);
    return ms;
  };
  for (let i = 0; i < 3; i++) {
    once(first);
    once(second);
  }
  const a: number[] = [];
  const b: number[] = [];
  const differences: number[] = [];
  for (let i = 0; i < runs; i++) {
    let firstMs: number;
    let secondMs: number;
    if (i % 2 === 0) {
      firstMs = once(first);
      secondMs = once(second);
    } else {
      secondMs = once(second);
      firstMs = once(first);
    }
    a.push(firstMs);
    b.push(secondMs);
    differences.push(secondMs - firstMs);
  }
  const median = (values: number[]) => [...values].sort((p, q) => p - q)[Math.floor(values.length / 2)];
  return { first: median(a), second: median(b), difference: median(differences) };
}

/** Processes (fork, vfork, clone) the command starts, counted by strace; undefined without strace. */
function processesStarted(argv: string[], env: NodeJS.ProcessEnv): number | undefined {
  if (!has('strace')) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'mfa-env-bench-trace-'));
  try {
    const out = join(dir, 'trace');
    spawnSync('strace', ['-f', '-qq', '-e', 'trace=fork,vfork,clone,clone3', '-o', out, ...argv], {
      env,
      stdio: 'ignore',
    });
    return readFileSync(out, 'utf8')
      .split('\n')
      .filter((line) => /\b(fork|vfork|clone|clone3)\(/.test(line) && !/CLONE_THREAD/.test(line) && !/= -1/.test(line))
      .length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The AWS files of `count` profiles: users with MFA devices, and roles on top of them. */
function profileFiles(count: number): { config: string; credentials: string } {
  const config: string[] = [];
  const credentials: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      config.push(
        `[profile user${i}]`,
        `mfa_serial = arn:aws:iam::123456789012:mfa/user${i}`,
        'region = eu-west-1',
        '',
      );
      credentials.push(
        `[user${i}]`,
        `aws_access_key_id = AKIA${String(i).padStart(16, '0')}`,
        'aws_secret_access_key = secret',
        '',
      );
    } else {
      config.push(
        `[profile role${i}]`,
        `role_arn = arn:aws:iam::123456789012:role/r${i}`,
        `source_profile = user${i - 1}`,
        '',
      );
    }
  }
  return { config: config.join('\n'), credentials: credentials.join('\n') };
}

/**
 * A HOME whose AWS files hold `count` profiles (the config followed by `extraConfig`), and bin/mfa-env, the built
 * CLI, for the PATH of benchEnv: the shell integration runs mfa-env by name, as test/support/tempHome.ts sets it up.
 * The files are dated an hour back, as a config edited a while ago is: a memo made now is newer than them even by
 * fish's clock, which has whole seconds.
 */
function homeWithProfiles(count: number, extraConfig = ''): string {
  const home = mkdtempSync(join(tmpdir(), 'mfa-env-bench-'));
  mkdirSync(join(home, '.aws'));
  mkdirSync(join(home, '.cache', 'mfa-env'), { recursive: true, mode: 0o700 });
  mkdirSync(join(home, 'bin'));
  symlinkSync(cli, join(home, 'bin', 'mfa-env'));
  const { config, credentials } = profileFiles(count);
  writeFileSync(join(home, '.aws', 'config'), config + extraConfig);
  writeFileSync(join(home, '.aws', 'credentials'), credentials);
  const anHourAgo = new Date(Date.now() - 3600_000);
  for (const file of ['config', 'credentials']) utimesSync(join(home, '.aws', file), anHourAgo, anHourAgo);
  return home;
}

/** What a shell of the bench runs with: nothing of the developer's but PATH, behind the home's own mfa-env. */
function benchEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: `${join(home, 'bin')}:${process.env.PATH}`, HOME: home, TERM: 'dumb', ...extra };
}

type BenchShell = 'bash' | 'zsh' | 'fish';

const SHELLS: Record<BenchShell, { argv: string[]; hook: string; defined(fn: string): string }> = {
  bash: {
    argv: ['bash', '--noprofile', '--norc', '-c'],
    hook: '__mfa_env_hook',
    defined: (fn) => `declare -F -- ${fn} >/dev/null`,
  },
  zsh: {
    argv: ['zsh', '--no-globalrcs', '--no-rcs', '-c'],
    hook: '__mfa_env_hook',
    defined: (fn) => `(( \${+functions[${fn}]} ))`,
  },
  fish: {
    argv: ['fish', '--no-config', '-c'],
    hook: 'mfa_env_prompt >/dev/null',
    defined: (fn) => `functions -q -- ${fn}`,
  },
};

interface Row {
  what: string;
  value: string;
  baseline: string;
  result: string;
  target: string;
}

/** Runs a script in the shell and fails the bench when it fails: a row must never time a broken start-up. */
function mustRun(argv: string[], script: string, env: NodeJS.ProcessEnv, why: string): string {
  const result = spawnSync(argv[0], [...argv.slice(1), script], { env, encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`${why}: ${argv.join(' ')} '${script}' exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const plus = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(1)} ms`;

/** AWS configs that are large or have a long line, each beside the 200 profiles: what the first start after a change must read in under a second. */
function largeConfigs(): Array<{ what: string; extra: string; fn: string | null }> {
  const tenMb = 10 * 1024 * 1024;
  const many: string[] = [];
  let size = profileFiles(200).config.length;
  for (let i = 0; size < tenMb; i++) {
    const section = `\n[profile pad${i}]\nregion = eu-west-1\noutput = json\n`;
    many.push(section);
    size += section.length;
  }
  const comment = `# ${'x'.repeat(77)}\n`;
  // The first is past the number of profiles a shell gets functions for (see profileFunctions.ts): none are made.
  return [
    { what: `10 MB config (${many.length.toLocaleString('en')} small profiles)`, extra: many.join(''), fn: null },
    {
      what: '10 MB config (200 profiles, the rest comments)',
      extra: `\n${comment.repeat(Math.ceil((tenMb - size) / comment.length))}`,
      fn: 'mfa-user0',
    },
    {
      what: 'config with a 2 MB line ([ + spaces + ])',
      extra: `\n[${' '.repeat(2 * 1024 * 1024)}]\n`,
      fn: 'mfa-user0',
    },
    {
      what: 'config with 2 MB of spaces in a value',
      extra: `\n[profile padded]\nregion = eu${' '.repeat(2 * 1024 * 1024)}west-1\n`,
      fn: 'mfa-user0',
    },
  ];
}

function shellRows(): Row[] {
  const rows: Row[] = [];
  const steady200 = homeWithProfiles(200);
  const steady5000 = homeWithProfiles(5000);
  // Its own home, as its config is touched before every run.
  const changed200 = homeWithProfiles(200);
  const large = largeConfigs().map(({ what, extra, fn }) => ({ what, fn, home: homeWithProfiles(200, extra) }));
  const homes = [steady200, steady5000, changed200, ...large.map((l) => l.home)];
  try {
    for (const [shell, { argv, hook, defined }] of Object.entries(SHELLS) as Array<
      [BenchShell, (typeof SHELLS)[BenchShell]]
    >) {
      if (!has(shell)) {
        rows.push({
          what: `${shell}: start-up with the integration`,
          value: 'n/a',
          baseline: '',
          result: `${shell} not installed`,
          target: '',
        });
        continue;
      }
      const source = `source '${join(root, 'shell', `mfa-env.${shell}`)}'`;
      const bare = time([...argv, 'true'], benchEnv(steady200));

      /** The memo made by a first start, and the functions there: the steady state the timed runs start in. */
      const warm = (home: string, fn: string | null = 'mfa-user0') => {
        mustRun(
          argv,
          fn ? `${source}; ${defined(fn)}` : source,
          benchEnv(home),
          `${shell} defines no ${fn} with the integration`,
        );
        if (!existsSync(join(home, '.cache', 'mfa-env', `profiles.${shell}`)))
          throw new Error(`${shell} made no memo in ${home}/.cache/mfa-env`);
      };

      const steadyMs: Record<string, number> = {};
      for (const [home, count, target] of [
        [steady200, '200', '≤ +10 ms, 0 processes'],
        [steady5000, '5,000', '≤ +100 ms, 0 processes'],
      ] as const) {
        warm(home);
        const withIt = time([...argv, source], benchEnv(home));
        steadyMs[count] = withIt;
        const started = processesStarted([...argv, source], benchEnv(home));
        rows.push({
          what: `${shell}: start-up, ${count} profiles, memo made`,
          value: ms(withIt),
          baseline: `${ms(bare)} bare`,
          result: `${plus(withIt - bare)}, ${started ?? '?'} processes`,
          target,
        });
      }

      // After a change: the prepare step touches the config, so each timed start finds its memo older than it.
      const env = benchEnv(changed200);
      const touch = ['touch', join(changed200, '.aws', 'config')];
      warm(changed200);
      const afterChange = time([...argv, source], env, { prepare: touch });
      spawnSync(touch[0], touch.slice(1));
      const started = processesStarted([...argv, source], env);
      // What one mfa-env run starts by itself, plus the fork that starts it.
      const oneRun = processesStarted([NODE, cli, '__profiles', shell], env);
      rows.push({
        what: `${shell}: first start after an AWS file changed (200)`,
        value: ms(afterChange),
        baseline: `${ms(steadyMs['200'])} steady`,
        result: `${plus(afterChange - steadyMs['200'])}, ${started ?? '?'} processes (one mfa-env run: ${oneRun === undefined ? '?' : oneRun + 1})`,
        target: '≤ one mfa-env run more',
      });
      // Such a start must end with the functions defined, from what its mfa-env run made: with the config changed
      // just before the start (within the same second, which a clock of whole seconds cannot tell apart), and 2 s before.
      const definedAfterChange = (secondsBefore: number) => {
        const anHourAgo = new Date(Date.now() - 3600_000);
        utimesSync(join(changed200, '.cache', 'mfa-env', `profiles.${shell}`), anHourAgo, anHourAgo);
        const changedAt = new Date(Date.now() - secondsBefore * 1000);
        utimesSync(join(changed200, '.aws', 'config'), changedAt, changedAt);
        return spawnSync(argv[0], [...argv.slice(1), `${source}; ${defined('mfa-user0')}`], { env }).status === 0
          ? 'yes'
          : 'NO';
      };
      rows.push({
        what: `${shell}: that start defines the functions`,
        value: `${definedAfterChange(0)} / ${definedAfterChange(2)}`,
        baseline: '',
        result: 'config changed just before / 2 s before',
        target: 'yes / yes',
      });

      for (const { what, fn, home } of large) {
        const env = benchEnv(home);
        const touch = ['touch', join(home, '.aws', 'config')];
        warm(home, fn);
        // A single start first: one that takes seconds is timed over a few runs, not RUNS.
        spawnSync(touch[0], touch.slice(1));
        const t0 = process.hrtime.bigint();
        mustRun(argv, source, env, `${shell} with a ${what}`);
        const once = Number(process.hrtime.bigint() - t0) / 1e6;
        const first = time([...argv, source], env, { prepare: touch, runs: once > 1000 ? Math.min(RUNS, 3) : RUNS });
        rows.push({
          what: `${shell}: first start after the change, ${what}`,
          value: ms(first),
          baseline: `${ms(bare)} bare`,
          result: plus(first - bare),
          target: '< 1 s',
        });
      }

      // The prompt hook with a session loaded (the variables an export sets), ten times, against sourcing alone.
      const expires = Math.floor(Date.now() / 1000) + 2520;
      const session = {
        MFA_ENV_PROFILE: 'user0',
        MFA_ENV_PROFILE_LABEL: 'user0',
        MFA_ENV_EXPIRES_AT: String(expires),
        MFA_ENV_RENEW_AT: String(expires - 300),
      };
      const promptEnv = benchEnv(steady200, session);
      const segment = mustRun(
        argv,
        `${source}; mfa_env_prompt`,
        { ...promptEnv, NO_COLOR: '1' },
        `${shell}: mfa_env_prompt`,
      );
      if (!/^user0 4[12]m\n$/.test(segment))
        throw new Error(`${shell}: mfa_env_prompt printed ${JSON.stringify(segment)}, not the segment for user0`);
      const loop =
        shell === 'fish'
          ? `for i in 1 2 3 4 5 6 7 8 9 10; ${hook}; end`
          : `for i in 1 2 3 4 5 6 7 8 9 10; do ${hook}; done`;
      const prompts = processesStarted([...argv, `${source}; ${loop}`], promptEnv);
      const base = processesStarted([...argv, source], promptEnv);
      rows.push({
        what: `${shell}: processes per prompt (segment)`,
        value: prompts === undefined || base === undefined ? 'n/a (no strace)' : String((prompts - base) / 10),
        baseline: '',
        result: '',
        target: shell === 'fish' ? 'report' : '0',
      });
    }
  } finally {
    for (const home of homes) rmSync(home, { recursive: true, force: true });
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
  writeFileSync(
    config,
    JSON.stringify({ users: [{ ...DEMO_USER, mfaDevices: [{ serial: DEMO_USER.serial, secret }] }] }),
  );
  const child = spawn(
    process.execPath,
    [
      require.resolve('ts-node/dist/bin.js'),
      '--transpile-only',
      join(root, 'test', 'support', 'sts-server-main.ts'),
      config,
    ],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
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
  const add = (file: string, text: string) =>
    writeFileSync(join(home, '.aws', file), readFileSync(join(home, '.aws', file), 'utf8') + text);
  add('config', `\n[profile demo-user]\nmfa_serial = ${DEMO_USER.serial}\nregion = eu-west-1\nendpoint_url = ${url}\n`);
  add(
    'credentials',
    `\n[demo-user]\naws_access_key_id = ${DEMO_USER.accessKeyId}\naws_secret_access_key = ${DEMO_USER.secretAccessKey}\n`,
  );
  return home;
}

async function stsRows(node: number): Promise<Row[]> {
  const secret = newTotpSecret();
  const server = await startServer(secret);
  const small = homeForSts(5, server.url);
  const big = homeForSts(5000, server.url);
  const envOf = (home: string) => ({ PATH: process.env.PATH, HOME: home, AWS_PAGER: '' });
  try {
    for (const home of [small, big]) spawnSync(NODE, [cli, 'demo-user', '-t', totpCode(secret)], { env: envOf(home) });
    const cached = time([NODE, cli, 'demo-user'], envOf(small));
    const cachedBig = time([NODE, cli, 'demo-user'], envOf(big));
    const code = totpCode(secret);
    const fresh = [NODE, cli, 'demo-user', '--no-cache', '-t', code];
    // The floor under a fresh call: the same call from a bare Node script with the bundled STS client, none of
    // mfa-env's own work (an error answer is as good as a session for timing).
    const bare =
      `const s = require(${JSON.stringify(join(root, 'dist', 'stsSdk.js'))});` +
      `new s.STSClient({ region: 'eu-west-1', endpoint: ${JSON.stringify(server.url)}, maxAttempts: 1, credentials: ${JSON.stringify({ accessKeyId: DEMO_USER.accessKeyId, secretAccessKey: DEMO_USER.secretAccessKey })} })` +
      `.send(new s.GetSessionTokenCommand({ SerialNumber: ${JSON.stringify(DEMO_USER.serial)}, TokenCode: '000000' })).catch(() => {});`;
    // In turns with the fresh call, and judged on the median difference of each turn (see paired).
    const {
      first: floor,
      second: freshMs,
      difference,
    } = paired([NODE, '-e', bare], fresh, {
      ...envOf(small),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    const rows: Row[] = [
      {
        what: 'mfa-env PROFILE, served from the cache',
        value: `${cached.toFixed(1)} ms`,
        baseline: `${node.toFixed(1)} ms`,
        result: `×${(cached / node).toFixed(2)}, ${peakMemory([NODE, cli, 'demo-user'], envOf(small))}`,
        target: '≤ ×1.5',
      },
      {
        what: 'mfa-env PROFILE, fresh GetSessionToken (test STS)',
        value: `${freshMs.toFixed(1)} ms`,
        baseline: `${floor.toFixed(1)} ms floor`,
        result: `${plus(difference)} (median of ${RUNS * 2} turns), ${peakMemory(fresh, envOf(small))}`,
        target: '≤ floor + 10 ms',
      },
    ];
    rows.push({
      what: 'the same call, bare script with the SDK (floor)',
      value: `${floor.toFixed(1)} ms`,
      baseline: `${node.toFixed(1)} ms`,
      result: `×${(floor / node).toFixed(2)}`,
      target: 'report',
    });
    if (has('/usr/bin/aws')) {
      const aws = time(
        [
          '/usr/bin/aws',
          'sts',
          'get-session-token',
          '--profile',
          'demo-user',
          '--serial-number',
          DEMO_USER.serial,
          '--token-code',
          code,
          '--endpoint-url',
          server.url,
          '--output',
          'json',
        ],
        envOf(small),
      );
      rows.push({
        what: 'the same call with the AWS CLI v2',
        value: `${aws.toFixed(1)} ms`,
        baseline: `${freshMs.toFixed(1)} ms`,
        result: `mfa-env ${(aws / freshMs).toFixed(1)}× faster`,
        target: '≥ 4× faster',
      });
    } else {
      rows.push({
        what: 'the same call with the AWS CLI v2',
        value: 'n/a',
        baseline: '',
        result: '/usr/bin/aws not installed',
        target: '',
      });
    }
    const list = time([NODE, cli, 'list'], envOf(big));
    rows.push({
      what: 'mfa-env list, 5,000 profiles',
      value: `${list.toFixed(1)} ms`,
      baseline: `${node.toFixed(1)} ms`,
      result: `×${(list / node).toFixed(2)}`,
      target: '≤ ×3',
    });
    rows.push({
      what: 'cached path, 5,000 profiles vs 5',
      value: `${cachedBig.toFixed(1)} ms`,
      baseline: `${cached.toFixed(1)} ms`,
      result: `×${(cachedBig / cached).toFixed(2)}`,
      target: '≤ ×1.5',
    });
    return rows;
  } finally {
    server.stop();
    for (const home of [small, big]) rmSync(home, { recursive: true, force: true });
  }
}

function cliRows(): Row[] {
  const env = { PATH: process.env.PATH, HOME: mkdtempSync(join(tmpdir(), 'mfa-env-bench-empty-')) };
  const node = time([NODE, '-e', '0'], env);
  const clear = time([NODE, cli, '--clear'], env);
  rmSync(env.HOME, { recursive: true, force: true });
  return [
    { what: 'node -e 0', value: `${node.toFixed(1)} ms`, baseline: '', result: '', target: '' },
    {
      what: 'mfa-env --clear',
      value: `${clear.toFixed(1)} ms`,
      baseline: `${node.toFixed(1)} ms`,
      result: `×${(clear / node).toFixed(2)}, ${peakMemory([NODE, cli, '--clear'], env)}`,
      target: '≤ ×1.3',
    },
  ];
}

async function main(): Promise<void> {
  if (spawnSync('test', ['-f', cli]).status !== 0) throw new Error('build first: npm run build');
  const first = cliRows();
  const node = Number(first[0].value.split(' ')[0]);
  // BENCH_SHELLS=0: the Node rows only (the shells' rows do not depend on the Node version).
  const rows = [...first, ...(await stsRows(node)), ...(process.env.BENCH_SHELLS === '0' ? [] : shellRows())];
  const header = ['measure', 'value (median)', 'baseline', 'result', 'target'];
  const table = [header, ...rows.map((r) => [r.what, r.value, r.baseline, r.result, r.target])];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  console.log(
    `${RUNS} runs each (${has('hyperfine') ? 'hyperfine' : 'spawn loop'}), on ${process.platform} ${process.arch}, Node ${spawnSync(NODE, ['--version'], { encoding: 'utf8' }).stdout.trim()}`,
  );
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of table.slice(1)) console.log(line(row));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
