// Hostile values everywhere mfa-env takes a value from: profile names (credentials-file sections, argv, AWS_PROFILE),
// config values (region, role_arn, role_session_name, external_id, mfa_serial, endpoint_url), the environment
// (AWS_REGION, and pre-existing values --clear must give back), and every field of STS's answer. For every value and
// each of sh, dash, bash, zsh and fish: evaluating mfa-env's output never runs anything (no canary file appears), and
// every value either comes back byte for byte or is refused with one clear line and nothing on stdout.
//
// Fast by batching: mfa-env runs (many at once) write their output to one directory per case; then each shell
// evaluates every case in one process, running a script file, and dumps the environment with `env -0` for Node to
// compare. sh, dash, bash and zsh evaluate the sh output; fish the fish output.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import { hasControls, showName } from '../../src/text/showText';
import { ACCOUNT, DEMO_USER, type Fixture, startFixture } from '../support/fixture';
import type { CredentialsTamper } from '../support/sts-server';
import { errorProblems, parseEnvDump, pool, type RawResult, runRaw, writeRawEnv } from './support/harness';
import { type Hostile, hostileCorpus } from './support/hostileCorpus';

const SHELLS = ['sh', 'dash', 'bash', 'zsh', 'fish'] as const;
type ShellName = (typeof SHELLS)[number];
const SHELL_ARGV: Record<ShellName, string[]> = {
  sh: ['sh'],
  dash: ['dash'],
  bash: ['bash', '--noprofile', '--norc'],
  zsh: ['zsh', '--no-globalrcs', '--no-rcs'],
  fish: ['fish', '--no-config', '--private'],
};
const family = (shell: ShellName) => (shell === 'fish' ? 'fish' : 'sh');

/** Relative: each shell runs in a directory of its own, so a canary says which shell ran it. */
const CANARY = 'mfa-env-canary';
const CORPUS = hostileCorpus(CANARY);
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/admin`;
/** Nothing listens on port 1. */
const UNREACHABLE = 'http://127.0.0.1:1';
const CONCURRENCY = 8;

/** The variables an export replaces and a --clear restores (README, "What it sets"). */
const PRE_EXISTING = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_SESSION_EXPIRATION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
];
const MANAGED = [...PRE_EXISTING, 'AWS_REGION'];
const OURS = [
  'MFA_ENV_PROFILE',
  'MFA_ENV_PROFILE_LABEL',
  'MFA_ENV_EXPIRES_AT',
  'MFA_ENV_RENEW_AT',
  'MFA_ENV_ROLE_ARN',
  'MFA_ENV_SAVED',
  ...MANAGED.map((n) => `MFA_ENV_SAVED_${n}`),
];

const tampers = new Map<number, CredentialsTamper>();
let f: Fixture;
let work: string;
let caseCount = 0;
let shellRuns = 0;

beforeAll(async () => {
  // STS answers for a request are chosen by its DurationSeconds, unique per case, so cases can run at once.
  f = await startFixture({
    roles: [{ arn: ROLE_ARN, requireMfa: true }],
    tamper: (issued) => tampers.get(issued.durationSeconds) ?? {},
  });
  work = join(f.home.home, 'hostile');
  mkdirSync(work);
  // One MFA session cached for the demo user's default length: profile and config cases are served from it.
  const seeded = await f.run(['demo-user', '-t', f.code()]);
  if (seeded.status !== 0) throw new Error(seeded.stderr);
}, 30000);
afterAll(() => f.stop());

const baseEnv = () => ({ ...f.home.env, LC_ALL: 'C.UTF-8' });

// ---------------------------------------------------------------------------------------------------------------
// Cases

/** What a case's environment must hold after an export is evaluated: bytes, or null for "not set". */
type Expected = Record<string, Buffer | null>;

interface Case {
  id: string;
  dir: string;
  what: string;
  value: Hostile;
  /** Pre-existing environment the shells load before evaluating (bytes). */
  rawEnv: Record<string, Buffer>;
  /** Outputs to evaluate, by family; absent when the case was refused (or expected to be). */
  exportCode: Partial<Record<'sh' | 'fish', Buffer>>;
  clearCode: Partial<Record<'sh' | 'fish', Buffer>>;
  /** Filled once the sh export ran: what every shell must end up with. */
  expected: Expected;
  problems: string[];
}

function newCase(what: string, value: Hostile, rawEnv: Record<string, Buffer> = {}): Case {
  const id = `c${String(caseCount++).padStart(4, '0')}`;
  const dir = join(work, id);
  mkdirSync(dir, { recursive: true });
  writeRawEnv(dir, rawEnv);
  return {
    id,
    dir,
    what: `${what} ${value.label}`,
    value,
    rawEnv,
    exportCode: {},
    clearCode: {},
    expected: {},
    problems: [],
  };
}

const bytes = (s: string) => Buffer.from(s, 'utf8');
/** What Node makes of the bytes (invalid UTF-8 becomes U+FFFD). */
const decoded = (h: Hostile) => h.raw.toString('utf8');
/** What an XML parser hands on: line ends normalised, as XML 1.0 requires (and lone surrogates are U+FFFD on the wire). */
const xmlText = (h: Hostile) => bytes(h.text).toString('utf8').replace(/\r\n?/g, '\n');
const hasNul = (h: Hostile) => h.raw.includes(0);
/** Bytes that are not UTF-8 (a lone surrogate in the text is encoded as a real U+FFFD, which is). */
const invalidUtf8 = (h: Hostile) => !bytes(decoded(h)).equals(h.raw);
/**
 * Credentials mfa-env refuses from STS: empty, with a control character (C0, DEL, C1, line separators, bidi marks:
 * real ones are printable ASCII), or longer than a key id may be (the corpus sends each value as all three fields).
 */
const stsRefuses = (h: Hostile) => xmlText(h) === '' || hasControls(xmlText(h)) || xmlText(h).length > 128;
/** What must never reach a terminal raw from an error message. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

async function cli(
  c: Case,
  step: string,
  options: Omit<Parameters<typeof runRaw>[0], 'dir' | 'env'> & { env?: Record<string, string | undefined> },
): Promise<RawResult> {
  return runRaw({
    ...options,
    env: { ...baseEnv(), ...options.env },
    dir: join(c.dir, step),
    cwd: join(c.dir, step),
    timeoutMs: 60000,
  });
}

/** A refusal must be one of the allowed exits and have the documented shape. */
function checkRefusal(c: Case, r: RawResult, allowed: number[], usage = false): void {
  const problems = errorProblems(r, {
    exit: allowed,
    retries: true,
    usage,
    secrets: [DEMO_USER.secretAccessKey, ...f.server.issued.flatMap((i) => [i.secretAccessKey, i.sessionToken])],
  });
  for (const p of problems)
    c.problems.push(`${c.what}: refused badly: ${p}; stderr ${JSON.stringify(r.stderr.slice(0, 300))}`);
}

function ranOk(c: Case, r: RawResult, step: string): boolean {
  if (r.status === 0 && r.stderr === '') return true;
  c.problems.push(`${c.what}: ${step} failed (exit ${r.status}): ${JSON.stringify(r.stderr.slice(0, 400))}`);
  return false;
}

/** Shell-code outputs never carry the canary into the test's own directory either. */
function canaryInRunDirs(c: Case): void {
  for (const step of readdirSync(c.dir)) {
    if (existsSync(join(c.dir, step, CANARY)))
      c.problems.push(`${c.what}: the canary appeared while running mfa-env (${step})`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation in the shells: one process per shell for all cases

const SH_SCRIPT = `
S=$1; list=$2
while IFS= read -r d; do
  (
    while IFS= read -r n; do v=$(cat "$d/env/$n"; printf x); export "$n=\${v%x}"; done < "$d/envnames"
    env -0 > "$d/$S.before"
    code=$(cat "$d/export.sh"; printf x)
    eval "\${code%x}" || echo "export code exited $?" >> "$d/$S.error"
    env -0 > "$d/$S.export"
    if [ -e "$d/clear.sh" ]; then
      code=$(cat "$d/clear.sh"; printf x)
      eval "\${code%x}" || echo "clear code exited $?" >> "$d/$S.error"
      env -0 > "$d/$S.clear"
    fi
  ) 2>> "$d/$S.stderr" < /dev/null
  if [ -e ${CANARY} ]; then printf '%s\\n' "$d" >> canary-hits; rm -f ${CANARY}; fi
done < "$list"
`;

const FISH_SCRIPT = `
set S $argv[1]
for d in (cat $argv[2])
    begin
        for n in (cat $d/envnames)
            set -gx $n (cat $d/env/$n | string collect -N)
        end
        env -0 > $d/$S.before
        eval (cat $d/export.fish | string collect); or echo "export code failed" >> $d/$S.error
        env -0 > $d/$S.export
        if test -e $d/clear.fish
            eval (cat $d/clear.fish | string collect); or echo "clear code failed" >> $d/$S.error
            env -0 > $d/$S.clear
        end
        for n in (cat $d/envnames) ${OURS.join(' ')} ${MANAGED.join(' ')}
            set -e -g $n
        end
    end 2>> $d/$S.stderr < /dev/null
    if test -e ${CANARY}
        echo $d >> canary-hits
        rm -f ${CANARY}
    end
end
`;

/** Puts each case's outputs where the shell scripts read them (once: shells evaluating at once share the files). */
function writeCode(cases: Case[]): void {
  for (const c of cases) {
    for (const fam of ['sh', 'fish'] as const) {
      if (c.exportCode[fam] !== undefined) writeFileSync(join(c.dir, `export.${fam}`), c.exportCode[fam]!);
      if (c.clearCode[fam] !== undefined) writeFileSync(join(c.dir, `clear.${fam}`), c.clearCode[fam]!);
    }
  }
}

function evaluateInShell(shell: ShellName, cases: Case[], { write = true } = {}): Promise<void> {
  const fam = family(shell);
  const dir = join(work, `shell-${shell}-${shellRuns++}`);
  mkdirSync(dir);
  const listed = cases.filter((c) => c.exportCode[fam] !== undefined);
  if (write) writeCode(listed);
  writeFileSync(join(dir, 'list'), listed.map((c) => `${c.dir}\n`).join(''));
  writeFileSync(join(dir, 'script'), fam === 'fish' ? FISH_SCRIPT : SH_SCRIPT);
  const argv = SHELL_ARGV[shell];
  const child = spawn(argv[0], [...argv.slice(1), join(dir, 'script'), shell, join(dir, 'list')], {
    cwd: dir,
    env: baseEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => {
      if (status !== 0) {
        reject(new Error(`${shell} exited ${status}: ${stderr.slice(0, 2000)}`));
        return;
      }
      const hits = existsSync(join(dir, 'canary-hits'))
        ? readFileSync(join(dir, 'canary-hits'), 'utf8').split('\n').filter(Boolean)
        : [];
      for (const c of listed) {
        const problems = (p: string) => c.problems.push(`${c.what}, ${shell}: ${p}`);
        if (hits.includes(c.dir) || existsSync(join(dir, CANARY)))
          problems('THE CANARY WAS CREATED: evaluating the output ran code');
        for (const name of ['error', 'stderr']) {
          const file = join(c.dir, `${shell}.${name}`);
          if (existsSync(file) && readFileSync(file).length > 0)
            problems(`${name}: ${JSON.stringify(readFileSync(file, 'utf8').slice(0, 300))}`);
        }
        compareEnv(c, shell, problems);
      }
      resolve();
    });
  });
}

const show = (b: Buffer | null | undefined) =>
  b === undefined ? 'absent' : b === null ? 'unset' : JSON.stringify(b.toString('latin1').slice(0, 80));

function compareEnv(c: Case, shell: ShellName, problem: (p: string) => void): void {
  const read = (stage: string) => {
    const file = join(c.dir, `${shell}.${stage}`);
    return existsSync(file) ? parseEnvDump(readFileSync(file)) : undefined;
  };
  const before = read('before');
  const after = read('export');
  if (!before || !after) {
    problem('no environment dump (the shell stopped)');
    return;
  }
  for (const [name, want] of Object.entries(c.expected)) {
    const got = after.get(name);
    if (want === null ? got !== undefined : !got?.equals(want))
      problem(`after the export ${name} is ${show(got)}, expected ${show(want)}`);
  }
  if (c.clearCode[family(shell)] === undefined) return;
  const cleared = read('clear');
  if (!cleared) {
    problem('no environment dump after --clear');
    return;
  }
  before.delete('_');
  cleared.delete('_');
  for (const name of new Set([...before.keys(), ...cleared.keys()])) {
    const was = before.get(name);
    const now = cleared.get(name);
    if (!(was === undefined ? now === undefined : now?.equals(was)))
      problem(`--clear left ${name} as ${show(now)}, it was ${show(was)}`);
  }
}

/** Every shell at once over copies of the cases: each shell's problems. */
async function evaluateAll(cases: Case[]): Promise<Map<ShellName, string[]>> {
  writeCode(cases);
  const copies = SHELLS.map(() => cases.map((c) => ({ ...c, problems: [] as string[] })));
  await Promise.all(SHELLS.map((shell, i) => evaluateInShell(shell, copies[i], { write: false })));
  return new Map(SHELLS.map((shell, i) => [shell, problemsOf(copies[i])]));
}

async function evaluateEverywhere(cases: Case[]): Promise<void> {
  writeCode(cases);
  await Promise.all(SHELLS.map((shell) => evaluateInShell(shell, cases, { write: false })));
}

function problemsOf(cases: Case[]): string[] {
  return cases.flatMap((c) => c.problems);
}

// ---------------------------------------------------------------------------------------------------------------

describe('the corpus', () => {
  it('has at least 100 values, of every kind the issue lists', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(100);
    const texts = CORPUS.map((h) => h.text);
    for (const needle of [
      "'",
      '"',
      '`',
      '$(',
      ';',
      '\n',
      '\r',
      '\u001b[',
      '\u0007',
      '%',
      '!',
      '*',
      '?',
      '[',
      '-',
      '\ud800',
    ]) {
      expect(texts.some((t) => t.includes(needle))).toBe(true);
    }
    expect(CORPUS.some((h) => h.lossy)).toBe(true);
    expect(CORPUS.some((h) => h.raw.length >= 10000)).toBe(true);
  });
});

describe('STS credentials, pre-existing variables and profile names, together', () => {
  // One case per value: the shell already holds the value in every variable an export replaces; the value names
  // the profile (a credentials-file section, given as the PROFILE argument, and through AWS_PROFILE); and STS
  // answers with it as AccessKeyId, SecretAccessKey and SessionToken. A value STS cannot carry (empty, NUL) or no
  // section can have is left out of that part, and tested on its own below.
  const cases: Case[] = [];
  /** Values that name a section, with the credentials file that has it. */
  const sections = new Map<Hostile, string>();

  beforeAll(async () => {
    const values = CORPUS.filter((h) => !hasNul(h));
    await pool(
      CONCURRENCY,
      values.map((value, i) => async () => {
        // Bytes that are not UTF-8 in a variable mfa-env would save are refused (tested on their own below).
        const preExisting = invalidUtf8(value) ? [] : PRE_EXISTING;
        const rawEnv: Record<string, Buffer> = {
          ...Object.fromEntries(preExisting.map((n) => [n, value.raw])),
          AWS_REGION: bytes('us-east-2'),
        };
        const c = newCase('[sts+env+profile]', value, rawEnv);
        cases.push(c);
        const duration = 1000 + i;
        const stsCarries = !stsRefuses(value);
        if (stsCarries)
          tampers.set(duration, { accessKeyId: value.text, secretAccessKey: value.text, sessionToken: value.text });

        // The section named by the value, in a credentials file of its own (a broken header must not touch others).
        const credentials = join(c.dir, 'credentials');
        const section = `[demo-user]\naws_access_key_id = ${DEMO_USER.accessKeyId}\naws_secret_access_key = ${DEMO_USER.secretAccessKey}\n`;
        const hostileSection = Buffer.concat([
          bytes('\n['),
          value.raw,
          bytes(
            `]\naws_access_key_id = ${DEMO_USER.accessKeyId}\naws_secret_access_key = ${DEMO_USER.secretAccessKey}\nmfa_serial = ${DEMO_USER.serial}\nregion = eu-west-1\nendpoint_url = ${f.server.url}\n`,
          ),
        ]);
        const nameFits = !value.raw.includes(0x0a);
        writeFileSync(credentials, nameFits ? Buffer.concat([bytes(section), hostileSection]) : bytes(section));
        // The SDK's parser decides what the section is called (it cuts at " #" and " ;", and skips some headers).
        const parsed = await loadSharedConfigFiles({
          configFilepath: f.home.configPath,
          filepath: credentials,
          ignoreCache: true,
        });
        const name = decoded(value);
        const usable = nameFits && name !== '' && name !== 'demo-user' && Object.hasOwn(parsed.credentialsFile, name);
        if (usable) sections.set(value, credentials);
        const env = { AWS_SHARED_CREDENTIALS_FILE: credentials };
        const profileArgs = usable ? [] : ['--profile=demo-user'];

        // sh: the section name as the PROFILE argument when it can be one (not an option); fish: from AWS_PROFILE.
        const positional = usable && !name.startsWith('-') ? [name] : [];
        const sh = await cli(c, 'sh', {
          rawEnv,
          env,
          args: [...profileArgs, ...positional, '-t', f.code(), '-d', String(duration), '--shell', 'sh'],
        });
        if (!ranOk(c, sh, 'the export')) return;
        c.exportCode.sh = sh.stdout;
        // fish: the same session, now from the cache (no code can be given).
        // (Without AWS_PROFILE holding the name, the name comes as --profile=NAME.)
        const fishProfile = usable && preExisting.length === 0 ? [`--profile=${name}`] : [];
        const fish = await cli(c, 'fish', {
          rawEnv,
          env,
          stdin: 'closed',
          args: [...profileArgs, ...fishProfile, '-d', String(duration), '--shell', 'fish'],
        });
        if (ranOk(c, fish, 'the export from the cache')) c.exportCode.fish = fish.stdout;
        for (const fam of ['sh', 'fish'] as const) {
          const clear = await cli(c, `clear-${fam}`, {
            rawEnv,
            env,
            preEval: sh.stdout,
            args: ['--clear', '--shell', fam],
          });
          if (ranOk(c, clear, `--clear --shell ${fam}`)) c.clearCode[fam] = clear.stdout;
        }
        canaryInRunDirs(c);

        const issued = f.server.issued.find((x) => x.durationSeconds === duration);
        const credential = stsCarries ? bytes(xmlText(value)) : undefined;
        c.expected = {
          MFA_ENV_PROFILE: bytes(usable ? name : 'demo-user'),
          // What prompts show: the name with its control characters escaped.
          MFA_ENV_PROFILE_LABEL: bytes(showName(usable ? name : 'demo-user')),
          AWS_ACCESS_KEY_ID: credential ?? bytes(issued?.accessKeyId ?? '?'),
          AWS_SECRET_ACCESS_KEY: credential ?? bytes(issued?.secretAccessKey ?? '?'),
          AWS_SESSION_TOKEN: credential ?? bytes(issued?.sessionToken ?? '?'),
          AWS_REGION: bytes('eu-west-1'),
          AWS_DEFAULT_REGION: bytes('eu-west-1'),
          AWS_PROFILE: null,
          AWS_SECURITY_TOKEN: null,
          MFA_ENV_ROLE_ARN: null,
          MFA_ENV_SAVED_AWS_REGION: bytes('us-east-2'),
          ...Object.fromEntries(preExisting.map((n) => [`MFA_ENV_SAVED_${n}`, value.raw])),
        };
      }),
    );
    cases.sort((a, b) => a.id.localeCompare(b.id));
  }, 180000);

  it('every run succeeds, and most values name a section', () => {
    expect(problemsOf(cases)).toEqual([]);
    expect(sections.size).toBeGreaterThan(CORPUS.length / 2);
  });

  // The first shell's test waits for every shell's evaluation (one process per shell, all cases at once).
  let evaluated: Promise<Map<ShellName, string[]>> | undefined;
  it.each(SHELLS)(
    '%s: nothing runs, and everything comes back byte for byte (after the export and after --clear)',
    async (shell) => {
      evaluated ??= evaluateAll(cases);
      expect((await evaluated).get(shell)).toEqual([]);
    },
    240000,
  );

  it('invalid UTF-8 in a variable an export saves, or --clear gives back: refused (exit 3, one line naming it)', async () => {
    // Node decodes the environment, turning such bytes into U+FFFD, so the value could not be given back exactly.
    const lossy = CORPUS.filter((h) => invalidUtf8(h) && !hasNul(h));
    expect(lossy.length).toBeGreaterThan(0);
    const refused: Case[] = [];
    await pool(
      CONCURRENCY,
      lossy.flatMap((value) =>
        ['AWS_SESSION_TOKEN', 'AWS_DEFAULT_REGION', 'MFA_ENV_SAVED_AWS_PROFILE'].map((name) => async () => {
          const clearing = name.startsWith('MFA_ENV_SAVED_');
          const rawEnv = { [name]: value.raw, ...(clearing ? { MFA_ENV_SAVED: bytes('AWS_PROFILE') } : {}) };
          const c = newCase(`[${name}]`, value, rawEnv);
          refused.push(c);
          const r = await cli(c, 'refuse', {
            rawEnv,
            stdin: 'closed',
            args: clearing ? ['--clear'] : ['demo-user', '-t', f.code()],
          });
          checkRefusal(c, r, [3]);
          if (!r.stderr.includes(name))
            c.problems.push(`${c.what}: the error does not name ${name}: ${JSON.stringify(r.stderr)}`);
        }),
      ),
    );
    expect(problemsOf(refused)).toEqual([]);
  }, 60000);

  it('a real U+FFFD (valid UTF-8) in a saved variable is kept and given back byte for byte', async () => {
    const value = { label: 'U+FFFD', text: 'a\uFFFDb', raw: bytes('a\uFFFDb'), lossy: false };
    const rawEnv = { AWS_PROFILE: value.raw, AWS_SESSION_TOKEN: value.raw };
    const c = newCase('[real U+FFFD]', value, rawEnv);
    const r = await cli(c, 'sh', { rawEnv, args: ['demo-user', '-t', f.code()] });
    if (ranOk(c, r, 'the export')) c.exportCode.sh = r.stdout;
    const clear = await cli(c, 'clear-sh', { rawEnv, preEval: r.stdout, args: ['--clear'] });
    if (ranOk(c, clear, '--clear')) c.clearCode.sh = clear.stdout;
    c.expected = {
      MFA_ENV_SAVED_AWS_PROFILE: value.raw,
      MFA_ENV_SAVED_AWS_SESSION_TOKEN: value.raw,
      AWS_PROFILE: null,
    };
    await evaluateInShell('bash', [c]);
    expect(c.problems).toEqual([]);
  }, 60000);

  /** Every section name given on the command line, served from the cached MFA session. */
  async function viaArgv(
    label: string,
    args: (value: Hostile) => { rawProfile?: Buffer; args: string[] } | undefined,
  ): Promise<Case[]> {
    const argvCases: Case[] = [];
    await pool(
      CONCURRENCY,
      [...sections].map(([value, credentials]) => async () => {
        const how = args(value);
        if (!how) return;
        const c = newCase(label, value);
        argvCases.push(c);
        const r = await cli(c, 'sh', {
          env: { AWS_SHARED_CREDENTIALS_FILE: credentials },
          stdin: 'closed',
          rawProfile: how.rawProfile,
          args: [...how.args, '--shell', 'sh'],
        });
        canaryInRunDirs(c);
        if (!ranOk(c, r, 'the export')) return;
        c.exportCode.sh = r.stdout;
        c.expected = { MFA_ENV_PROFILE: bytes(decoded(value)), MFA_ENV_PROFILE_LABEL: bytes(showName(decoded(value))) };
      }),
    );
    await evaluateInShell('bash', argvCases);
    return argvCases;
  }

  it('a section name given as --profile=NAME reaches mfa-env unchanged', async () => {
    // yargs-parser strips a pair of quotes around the value of `--opt=VALUE`, so `--profile="'prod'"` would select
    // `prod`, maybe another account; src/cli.ts (keepQuotes) makes such values arrive as typed.
    const argvCases = await viaArgv('[--profile=]', (value) => ({ rawProfile: value.raw, args: [] }));
    expect(problemsOf(argvCases)).toEqual([]);
  }, 60000);

  it('a profile name no section has: exit 3 and one clear line, from AWS_PROFILE (and --profile= when no section could have it)', async () => {
    const refused: Case[] = [];
    await pool(
      CONCURRENCY,
      // Every value a section can have is tested as a known profile above; here every third, and every value with a
      // control character or a quote, as an unknown one (the message quotes the name).
      CORPUS.filter(
        (h, i) =>
          !hasNul(h) &&
          decoded(h) !== 'demo-user' &&
          (i % 3 === 0 || !sections.has(h) || /['"`\\]/.test(h.text) || CONTROL.test(h.text)),
      ).map((value) => async () => {
        const c = newCase('[unknown profile]', value);
        refused.push(c);
        // The fixture's own files: only demo-user exists. (An empty AWS_PROFILE means the default, which does not exist either.)
        checkRefusal(c, await cli(c, 'env', { rawEnv: { AWS_PROFILE: value.raw }, args: ['-t', f.code()] }), [3]);
        // An empty --profile= is a usage error: it used to fall back to the loaded profile, AWS_PROFILE or default.
        const empty = value.raw.length === 0;
        if (!sections.has(value))
          checkRefusal(
            c,
            await cli(c, 'argv', { rawProfile: value.raw, args: ['-t', f.code()] }),
            [empty ? 2 : 3],
            empty,
          );
        canaryInRunDirs(c);
      }),
    );
    expect(problemsOf(refused)).toEqual([]);
  }, 120000);
});

describe('STS answers mfa-env must refuse', () => {
  it('credentials empty, with a control character or over the length bounds: exit 6 ("STS answering nonsense"), nothing on stdout, nothing cached', async () => {
    // Refused in src/session/sts.ts before anything is cached, so a later run is not stuck with the answer.
    const values = CORPUS.filter((h) => hasNul(h) || stsRefuses(h));
    const problems: string[] = [];
    await pool(
      CONCURRENCY,
      values.map((value, i) => async () => {
        const duration = 2000 + i;
        tampers.set(duration, { accessKeyId: value.text, secretAccessKey: value.text, sessionToken: value.text });
        const c = newCase('[sts refused]', value);
        const r = await cli(c, 'refuse', { args: ['demo-user', '-t', f.code(), '-d', String(duration)] });
        checkRefusal(c, r, [6]);
        const again = await cli(c, 'again', { stdin: 'closed', args: ['demo-user', '-d', String(duration)] });
        // Nothing cached: with no way to give a code, the next run must ask for one (exit 4), not fail on garbage.
        if (again.status !== 4)
          c.problems.push(
            `${c.what}: a later run exits ${again.status} (${JSON.stringify(again.stderr.trim())}), so the answer was cached`,
          );
        problems.push(...c.problems);
      }),
    );
    expect(problems).toEqual([]);
  }, 60000);

  it('every hostile Expiration: refused (exit 6), or exported as a well-formed RFC 3339 UTC time', async () => {
    const dates = [
      '2030-01-01T00:00:00+14:00',
      '2030-01-01T00:00:00.123456789Z',
      '2030-01-01 00:00:00Z',
      '2030-1-1T0:0:0Z',
      '+275760-09-13T00:00:00Z',
      '2030-01-01T00:00:00Z\n$(touch mfa-env-canary)',
      '2030-02-30T00:00:00Z',
      '99999-01-01T00:00:00Z',
    ];
    const dateValues = dates.map((d) => ({ label: JSON.stringify(d), text: d, raw: bytes(d), lossy: false }));
    const values = [...CORPUS, ...dateValues];
    const cases: Case[] = [];
    await pool(
      CONCURRENCY,
      values.map((value, i) => async () => {
        const duration = 3000 + i;
        tampers.set(duration, { expirationXml: value.text });
        const c = newCase('[Expiration]', value);
        cases.push(c);
        // An unreadable answer is retried with back-off; for the corpus (no dates) one attempt is enough.
        const once = dateValues.includes(value as (typeof dateValues)[number]) ? [] : ['--timeout', '0.35'];
        const r = await cli(c, 'sh', { args: ['demo-user', '-t', f.code(), '-d', String(duration), ...once] });
        if (r.status !== 0) {
          checkRefusal(c, r, [6]);
          return;
        }
        c.exportCode.sh = r.stdout;
        const fish = await cli(c, 'fish', {
          stdin: 'closed',
          args: ['demo-user', '-d', String(duration), '--shell', 'fish'],
        });
        if (ranOk(c, fish, 'the export from the cache')) c.exportCode.fish = fish.stdout;
        const exported = /AWS_CREDENTIAL_EXPIRATION='([^']*)'/.exec(r.stdout.toString())?.[1] ?? '';
        if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(exported))
          c.problems.push(`${c.what}: exported AWS_CREDENTIAL_EXPIRATION ${JSON.stringify(exported)}`);
        c.expected = {
          AWS_CREDENTIAL_EXPIRATION: bytes(exported),
          AWS_SESSION_EXPIRATION: bytes(exported),
          MFA_ENV_EXPIRES_AT: bytes(String(Date.parse(exported) / 1000)),
        };
        canaryInRunDirs(c);
      }),
    );
    await evaluateEverywhere(cases);
    expect(problemsOf(cases)).toEqual([]);
  }, 120000);

  it('each credential field on its own, around its bound (src/session/sts.ts FIELD_LIMITS, MAX_SESSION_MS): refused with the reason, or used', async () => {
    const unusable =
      /^mfa-env: STS at [^\n]* answered GetSessionToken without complete, usable credentials; try again\n$/;
    const hours = (n: number) => new Date(Date.now() + n * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const [in35h, in37h] = [hours(35), hours(37)];
    const refusedWith: Array<[string, CredentialsTamper, RegExp]> = [
      ['a NUL in the session token', { sessionToken: 'abc\u0000def' }, unusable],
      ['a newline in the secret key', { secretAccessKey: 'abc\ndef' }, unusable],
      ['an escape sequence in the key id', { accessKeyId: 'ASIA\u001b[31mRED' }, unusable],
      ['a C1 control (CSI, U+009B) in the session token', { sessionToken: 'abc\u009b31mdef' }, unusable],
      ['a bidirectional override in the secret key', { secretAccessKey: 'abc\u202edef' }, unusable],
      ['a line separator (U+2028) in the key id', { accessKeyId: 'ASIA\u2028EXAMPLE' }, unusable],
      [
        'a 200 KB session token',
        { sessionToken: 'A'.repeat(200_000) },
        /SessionToken 200000 characters long, more than the 8192 real ones stay under; not used\n$/,
      ],
      ['a session token of 8,193 characters', { sessionToken: 'A'.repeat(8193) }, /SessionToken 8193 characters long/],
      ['a key id of 129 characters', { accessKeyId: `ASIA${'X'.repeat(125)}` }, /AccessKeyId 129 characters long/],
      ['a secret key of 129 characters', { secretAccessKey: 'S'.repeat(129) }, /SecretAccessKey 129 characters long/],
      // The cache would serve these for ever.
      [
        'an Expiration in the year 9999',
        { expirationXml: '9999-12-31T23:59:59Z' },
        /valid until 9999-12-31T23:59:59Z, longer than the 36 hours STS grants/,
      ],
      ['an Expiration 37 hours away', { expirationXml: in37h }, /longer than the 36 hours STS grants/],
    ];
    const usedAs: Array<[string, CredentialsTamper, string]> = [
      [
        'a session token of 8,192 characters',
        { sessionToken: 'B'.repeat(8192) },
        `export AWS_SESSION_TOKEN='${'B'.repeat(8192)}'`,
      ],
      ['an Expiration 35 hours away', { expirationXml: in35h }, `export AWS_CREDENTIAL_EXPIRATION='${in35h}'`],
    ];
    const problems: string[] = [];
    await pool(CONCURRENCY, [
      ...refusedWith.map(([what, tamper, reason], i) => async () => {
        const duration = String(6000 + i);
        tampers.set(Number(duration), tamper);
        const r = await f.run(['demo-user', '-t', f.code(), '-d', duration]);
        const wrong = errorProblems(r, { exit: 6, retries: true, secrets: [DEMO_USER.secretAccessKey] });
        if (!reason.test(r.stderr)) wrong.push(`the reason is not ${reason}`);
        // Nothing cached: with no way to give a code, the next run must ask for one (exit 4), not fail on the answer.
        const again = await f.run(['demo-user', '-d', duration], { stdin: 'closed' });
        if (again.status !== 4)
          wrong.push(
            `a later run exits ${again.status} (${JSON.stringify(again.stderr.trim())}), so the answer was cached`,
          );
        problems.push(...wrong.map((p) => `${what}: ${p}; stderr ${JSON.stringify(r.stderr.slice(0, 300))}`));
      }),
      ...usedAs.map(([what, tamper, line], i) => async () => {
        const duration = String(6100 + i);
        tampers.set(Number(duration), tamper);
        const r = await f.run(['demo-user', '-t', f.code(), '-d', duration]);
        if (r.status !== 0 || r.stderr !== '' || !r.stdout.split('\n').includes(line))
          problems.push(`${what}: not used (exit ${r.status}): ${JSON.stringify(r.stderr.slice(0, 300))}`);
      }),
    ]);
    expect(problems).toEqual([]);
  }, 60000);
});

// What a hostile or broken server says in an error is shown as one readable line: a code that is not a plain word
// is quoted with its control characters escaped, and a message is cut.
describe('error answers from STS', () => {
  // Errors that are not retried: one fault each, so a retry would be served and show (exit 0).
  it('a code with terminal escapes is escaped, the message kept to one line', async () => {
    f.server.failNext({ kind: 'error', status: 400, code: 'Bad\u001b[31mCode\u001b]0;T\u0007', message: 'nope' }, 1);
    const result = await f.run(['demo-user', '-t', f.code(), '-d', '6200']);
    expect(errorProblems(result, { exit: 5, secrets: [DEMO_USER.secretAccessKey] })).toEqual([]);
    expect(result.stderr).toContain('failed: "Bad\\u001b[31mCode\\u001b]0;T\\u0007": "nope"');
  });

  it('a 500 KB AccessDenied message is cut short', async () => {
    // Under the 1 MiB bound on answers (answerSize.test.ts: a 5 MB one is not even read).
    f.server.failNext(
      { kind: 'error', status: 403, code: 'AccessDenied', message: `User is not authorized ${'x'.repeat(500_000)}` },
      1,
    );
    const result = await f.run(['demo-user', '-t', f.code(), '-d', '6201']);
    expect(errorProblems(result, { exit: 5, secrets: [DEMO_USER.secretAccessKey] })).toEqual([]);
    expect(result.stderr).toContain('was denied: "User is not authorized xxx');
    expect(result.stderr.length).toBeLessThan(1000);
  });
});

describe('config values', () => {
  const FIELDS = ['region', 'role_arn', 'role_session_name', 'external_id', 'mfa_serial', 'endpoint_url'] as const;
  type Field = (typeof FIELDS)[number];
  /** Exits a refusal may have: 3 for a value mfa-env rejects; 5 or 6 for one it passes on and STS (or the network) rejects. */
  const REFUSALS: Record<Field, number[]> = {
    region: [3],
    role_arn: [3, 5],
    role_session_name: [3, 5],
    external_id: [3, 5],
    mfa_serial: [3, 5],
    endpoint_url: [3, 6],
  };
  /** Every SAMPLE-th value `list` refuses (and every value with a control character) also runs through the export. */
  const SAMPLE = 10;
  const cases: Case[] = [];

  /** A profile `h<i>` per value, the value last in its section, so a line it breaks can only touch its own. */
  function configText(field: Field): Buffer {
    const user = [
      `aws_access_key_id = ${DEMO_USER.accessKeyId}`,
      `aws_secret_access_key = ${DEMO_USER.secretAccessKey}`,
    ];
    const role = [`source_profile = demo-user`];
    const base: Record<Field, string[]> = {
      region: [...user, `mfa_serial = ${DEMO_USER.serial}`, `endpoint_url = ${f.server.url}`],
      mfa_serial: [...user, `endpoint_url = ${f.server.url}`],
      // Under a port nothing listens on: a value that makes a valid URL ends in the network error, which names it.
      endpoint_url: [...user, `mfa_serial = ${DEMO_USER.serial}`],
      role_arn: [...role, `endpoint_url = ${f.server.url}`],
      role_session_name: [...role, `role_arn = ${ROLE_ARN}`, `endpoint_url = ${f.server.url}`],
      external_id: [...role, `role_arn = ${ROLE_ARN}`, `endpoint_url = ${f.server.url}`],
    };
    return Buffer.concat([
      readFileSync(f.home.configPath),
      ...CORPUS.flatMap((value, i) => [
        bytes(`\n[profile h${i}]\n${base[field].join('\n')}\n${field} = `),
        field === 'endpoint_url' ? Buffer.concat([bytes(`${UNREACHABLE}/`), value.raw]) : value.raw,
        bytes('\n'),
      ]),
    ]);
  }

  beforeAll(async () => {
    // `mfa-env list --json` resolves every profile as an export would, and says why it cannot serve one: one run
    // sorts each field's values into refused and accepted. Accepted ones are then exported and evaluated; refused
    // ones must have a clean one-line reason, and a sample of them is exported too, to see the same reason, exit 3
    // and nothing on stdout.
    const jobs: Array<() => Promise<void>> = [];
    for (const field of FIELDS) {
      const dir = join(work, `config-${field}`);
      mkdirSync(dir);
      const config = join(dir, 'config');
      writeFileSync(config, configText(field));
      const env = { AWS_CONFIG_FILE: config };
      const parsed = (
        await loadSharedConfigFiles({ configFilepath: config, filepath: f.home.credentialsPath, ignoreCache: true })
      ).configFile;
      const listed = await runRaw({
        env: { ...baseEnv(), ...env },
        dir: join(dir, 'list'),
        cwd: dir,
        args: ['list', '--json'],
      });
      if (listed.status !== 0) throw new Error(`list --json failed: ${listed.stderr}`);
      const rows = new Map(
        (JSON.parse(listed.stdout.toString()) as Array<{ profile: string; kind?: string; problem?: string }>).map(
          (r) => [r.profile, r],
        ),
      );
      if (existsSync(join(dir, CANARY))) throw new Error('the canary appeared while listing');
      CORPUS.forEach((value, i) => {
        const c = newCase(`[${field}]`, value);
        cases.push(c);
        const profile = `h${i}`;
        const row = rows.get(profile);
        if (!row) {
          c.problems.push(`${c.what}: list does not show profile ${profile}`);
          return;
        }
        if (row.problem !== undefined && CONTROL.test(row.problem)) {
          c.problems.push(
            `${c.what}: the reason list gives holds raw control characters: ${JSON.stringify(row.problem.slice(0, 300))}`,
          );
        }
        // Refused values, and endpoints (whose export only ever ends in the network error), are sampled; endpoints with
        // control characters always run (that error names the endpoint).
        const always = field === 'endpoint_url' && CONTROL.test(decoded(value));
        if ((row.problem !== undefined || field === 'endpoint_url') && i % SAMPLE !== 0 && !always) return;
        jobs.push(async () => {
          // Against a closed port one attempt is enough (a refused connection would be retried with back-off).
          const r = await cli(c, 'sh', {
            env,
            args: [
              profile,
              '-t',
              f.code(),
              '--shell',
              'sh',
              ...(field === 'endpoint_url' ? ['--timeout', '0.35'] : []),
            ],
          });
          canaryInRunDirs(c);
          if (row.problem !== undefined) {
            checkRefusal(c, r, [3]);
            if (r.stderr !== `mfa-env: ${row.problem}\n`)
              c.problems.push(
                `${c.what}: the export says ${JSON.stringify(r.stderr)}, list said ${JSON.stringify(row.problem)}`,
              );
            return;
          }
          if (r.status !== 0) {
            checkRefusal(c, r, REFUSALS[field]);
            return;
          }
          if (r.stderr !== '') c.problems.push(`${c.what}: stderr on success: ${JSON.stringify(r.stderr)}`);
          c.exportCode.sh = r.stdout;
          const fish = await cli(c, 'fish', { env, stdin: 'closed', args: [profile, '--shell', 'fish'] });
          if (ranOk(c, fish, 'the export from the cache')) c.exportCode.fish = fish.stdout;
          const got = parsed[profile]?.[field];
          const value_ = got === undefined || got === '' ? null : bytes(got);
          c.expected = { MFA_ENV_PROFILE: bytes(profile) };
          if (field === 'region') Object.assign(c.expected, { AWS_REGION: value_, AWS_DEFAULT_REGION: value_ });
          if (field === 'role_arn') c.expected.MFA_ENV_ROLE_ARN = value_;
        });
      });
    }
    await pool(CONCURRENCY, jobs);
    cases.sort((a, b) => a.id.localeCompare(b.id));
  }, 180000);

  it.each(FIELDS)(
    '%s: a refused value gets one clear line and exit 3 (or the STS/network code when STS refuses it)',
    (field) => {
      const mine = cases.filter((c) => c.what.startsWith(`[${field}]`));
      expect(mine).toHaveLength(CORPUS.length);
      expect(problemsOf(mine)).toEqual([]);
      // Some values are accepted, so the evaluation below has something to evaluate.
      if (['region', 'role_session_name', 'external_id'].includes(field))
        expect(mine.filter((c) => c.exportCode.sh).length).toBeGreaterThan(0);
    },
  );

  let evaluated: Promise<Map<ShellName, string[]>> | undefined;
  it.each(SHELLS)(
    '%s: accepted values run nothing and come back byte for byte',
    async (shell) => {
      evaluated ??= evaluateAll(cases);
      expect((await evaluated).get(shell)).toEqual([]);
    },
    60000,
  );
});

describe('the environment and argv', () => {
  it('AWS_REGION: refused with exit 3 unless a region name; a region name is saved and given back by --clear', async () => {
    const cases: Case[] = [];
    await pool(
      CONCURRENCY,
      CORPUS.filter((h) => !hasNul(h)).map((value) => async () => {
        const rawEnv = { AWS_REGION: value.raw };
        const c = newCase('[AWS_REGION]', value, rawEnv);
        cases.push(c);
        const r = await cli(c, 'sh', { rawEnv, args: ['demo-user', '--shell', 'sh'], stdin: 'closed' });
        canaryInRunDirs(c);
        if (r.status !== 0) {
          checkRefusal(c, r, [3]);
          return;
        }
        c.exportCode.sh = r.stdout;
        for (const fam of ['sh', 'fish'] as const) {
          if (fam === 'fish') {
            const fish = await cli(c, 'fish', { rawEnv, stdin: 'closed', args: ['demo-user', '--shell', 'fish'] });
            if (ranOk(c, fish, 'the fish export')) c.exportCode.fish = fish.stdout;
          }
          const clear = await cli(c, `clear-${fam}`, { rawEnv, preEval: r.stdout, args: ['--clear', '--shell', fam] });
          if (ranOk(c, clear, `--clear --shell ${fam}`)) c.clearCode[fam] = clear.stdout;
        }
        c.expected = { MFA_ENV_SAVED_AWS_REGION: value.raw, AWS_REGION: bytes('eu-west-1') };
      }),
    );
    await evaluateEverywhere(cases);
    expect(problemsOf(cases)).toEqual([]);
    expect(cases.filter((c) => c.exportCode.sh).length).toBeGreaterThan(0);
  }, 120000);

  it('AWS_ENDPOINT_URL_STS with a hostile value that makes a URL: refused, or named in one clean line', async () => {
    // The environment can hold what no config-file line can (a newline); the value ends an http URL to a closed port.
    const cases: Case[] = [];
    await pool(
      CONCURRENCY,
      CORPUS.filter((h) => !hasNul(h) && CONTROL.test(decoded(h))).map((value) => async () => {
        const c = newCase('[AWS_ENDPOINT_URL_STS]', value);
        cases.push(c);
        const rawEnv = { AWS_ENDPOINT_URL_STS: Buffer.concat([bytes(`${UNREACHABLE}/`), value.raw]) };
        // The URL parser would drop a newline or tab and percent-encode the rest, so the request would go elsewhere
        // than written: such an endpoint is refused (exit 3); messages print endpoints parsed, never raw.
        checkRefusal(
          c,
          await cli(c, 'refuse', { rawEnv, args: ['demo-user', '-t', f.code(), '--timeout', '0.35'] }),
          [3, 6],
        );
        canaryInRunDirs(c);
      }),
    );
    expect(cases.length).toBeGreaterThan(10);
    expect(problemsOf(cases)).toEqual([]);
  }, 60000);
});
