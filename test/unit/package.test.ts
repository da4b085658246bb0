// What `npm pack` ships: the built CLI, the shell files, the licence and the security notes the README links to, and
// a package.json with no install script (the tarball carries dist/ already built). .ci/run installs the real
// tarball and checks that npm has nothing to warn about.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

describe('npm pack', () => {
  it('ships dist/, shell/, LICENSE, README.md and SECURITY.md, and nothing of src/ or test/', () => {
    // --ignore-scripts: list the files without building again (the tests run against the build already made).
    const [report] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' }),
    );
    expect((report.files as Array<{ path: string }>).map((f) => f.path).sort()).toEqual([
      'LICENSE',
      'README.md',
      'SECURITY.md',
      'dist/cli.js',
      'dist/iamSdk.js',
      'dist/main.js',
      'dist/stsSdk.js',
      'dist/yargsBundle.js',
      'package.json',
      'shell/mfa-env.bash',
      'shell/mfa-env.fish',
      'shell/mfa-env.zsh',
    ]);
  });

  it('LICENSE is the MIT licence package.json names, for the mfa-env contributors', () => {
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).license).toBe('MIT');
    expect(license.split('\n').slice(0, 3)).toEqual([
      'MIT License',
      '',
      `Copyright (c) ${license.match(/\d{4}/)![0]} mfa-env contributors`,
    ]);
    expect(license).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
  });
});

describe('scripts/packManifest.js (prepack and postpack)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mfa-env-pack-'));
    mkdirSync(join(dir, 'scripts'));
    copyFileSync(join(ROOT, 'scripts', 'packManifest.js'), join(dir, 'scripts', 'packManifest.js'));
    copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (step: string) => execFileSync(process.execPath, [join(dir, 'scripts', 'packManifest.js'), step]);
  const manifest = () => readFileSync(join(dir, 'package.json'), 'utf8');

  it('packs a package.json without install scripts, the rest as it was, and puts the original back', () => {
    const original = manifest();
    expect(JSON.parse(original).scripts.prepare).toBe('npm run build');
    run('strip');
    const packed = JSON.parse(manifest());
    const expected = JSON.parse(original);
    delete expected.scripts.prepare;
    expect(packed).toEqual(expected);
    for (const name of ['preinstall', 'install', 'postinstall', 'prepare'])
      expect(packed.scripts[name]).toBeUndefined();
    run('restore');
    expect(manifest()).toBe(original);
  });

  it('a pack that failed between the two leaves nothing lost: the next strip starts from the original', () => {
    const original = manifest();
    run('strip');
    run('strip');
    run('restore');
    expect(manifest()).toBe(original);
    // restore with nothing to restore changes nothing.
    writeFileSync(join(dir, 'package.json'), original);
    run('restore');
    expect(manifest()).toBe(original);
  });
});

describe('dependencies', () => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<
    string,
    Record<string, string>
  >;

  it('one version line of the AWS SDK: no @aws-sdk or @smithy package is installed in two versions', () => {
    const versions = new Map<string, Set<string>>();
    for (const [path, entry] of Object.entries(lock.packages)) {
      const name = /node_modules\/(@(?:aws-sdk|smithy)\/[^/]+)$/.exec(path)?.[1];
      if (name && entry.version) versions.set(name, (versions.get(name) ?? new Set()).add(entry.version));
    }
    expect(versions.size).toBeGreaterThan(10);
    expect([...versions].filter(([, v]) => v.size > 1).map(([name, v]) => `${name}: ${[...v].join(', ')}`)).toEqual([]);
  });

  it('runtime dependencies are only what dist/ loads from node_modules (the rest is bundled)', () => {
    const dist = ['cli.js', 'main.js', 'stsSdk.js', 'iamSdk.js']
      .map((f) => readFileSync(join(ROOT, 'dist', f), 'utf8'))
      .join('\n');
    const required = new Set(
      [...dist.matchAll(/require\("((?:@[^/"]+\/)?[^/"]+)[^"]*"\)/g)]
        .map((m) => m[1])
        .filter((name) => !name.startsWith('node:') && !name.startsWith('.') && !builtinModules.includes(name)),
    );
    // The SDK tries this optional package (CRT-based SigV4a, for multi-region access points) and goes on without it.
    required.delete('@aws-sdk/signature-v4-crt');
    expect([...required].sort()).toEqual(Object.keys(manifest.dependencies).sort());
  });
});
