// `npm run coverage [-- JEST ARGS]`: line and branch coverage of src/, counted in every process the tests run.
// Most of mfa-env runs as `node dist/cli.js` in child processes (from the tests, from bash, zsh and fish in ptys),
// where Jest's own coverage cannot see it. So dist/ is built with source maps, and Jest runs with NODE_V8_COVERAGE,
// which Node hands down to every child (the test helpers keep it in the clean environments they build): each Node
// process writes its V8 coverage there on exit, and c8 maps that of the bundles back to src/*.ts. The in-process
// coverage of the unit tests (Jest's V8 provider, over esbuild's compile: scripts/coverageTransform.js) is merged in.
// Only src/ counts: the SDK code bundled into dist/ maps to node_modules/ and is left out. A process killed with
// SIGKILL writes nothing. Prints a table per folder of src/ and the total; coverage/html/ has the line-by-line
// report. dist/ is built again as usual at the end. Exits with Jest's status.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Report } from 'c8';
import { transformSync } from 'esbuild';
import libCoverage, { type CoverageMap, type CoverageSummary, type FileCoverageData } from 'istanbul-lib-coverage';
import libReport from 'istanbul-lib-report';
import reports from 'istanbul-reports';

const root = join(__dirname, '..');
const out = join(root, 'coverage');
const raw = join(out, 'raw');
const cliRaw = join(out, 'cli');
const jestDir = join(out, 'jest');
const TARGET = { lines: 90, branches: 80 };

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

/**
 * Takes the bundles' source maps out of dist/ (where `npm pack`, and the test of what it packs, would find them) and
 * build/; returns each bundle's file URL with its map.
 */
function takeMaps(): Record<string, { data: unknown }> {
  const bundles: Record<string, { data: unknown }> = {};
  for (const dir of ['dist', 'build']) {
    for (const name of readdirSync(join(root, dir)).filter((n) => n.endsWith('.js.map'))) {
      const map = join(root, dir, name);
      bundles[pathToFileURL(map.slice(0, -'.map'.length)).href] = { data: JSON.parse(readFileSync(map, 'utf8')) };
      rmSync(map);
    }
  }
  return bundles;
}

/**
 * Keeps of each process's raw coverage only the bundles': the Jest processes' own coverage, Node's internals and the
 * rest are dropped here rather than remapped. The maps go to c8 in a file of their own, as Node would have put them.
 */
function keepBundles(bundles: Record<string, { data: unknown }>): number {
  mkdirSync(cliRaw, { recursive: true });
  writeFileSync(join(cliRaw, 'source-maps.json'), JSON.stringify({ result: [], 'source-map-cache': bundles }));
  let processes = 0;
  for (const name of readdirSync(raw)) {
    let cov: { result: Array<{ url: string }> };
    try {
      cov = JSON.parse(readFileSync(join(raw, name), 'utf8'));
    } catch {
      continue; // cut short: its process was killed while writing it
    }
    const result = cov.result.filter((script) => script.url in bundles);
    if (result.length === 0) continue;
    writeFileSync(join(cliRaw, name), JSON.stringify({ result }));
    processes++;
  }
  return processes;
}

/** The bundles mapped back to their sources; the caller keeps those in src/ (the rest is the SDK bundled in). */
async function cliCoverage(): Promise<CoverageMap> {
  const report = new Report({
    tempDirectory: cliRaw,
    reporter: [],
    src: [root],
    // Selects the scripts before they are remapped. c8's exclude-after-remap would see the map's relative source
    // paths (../src/x.ts), not files, so src/ is chosen after, in main().
    include: ['dist/**', 'build/**'],
    resolve: '',
    // One merged process coverage at a time: the test run leaves thousands of files.
    ...{ mergeAsync: true },
  }) as Report & { getCoverageMapFromAllCoverageFiles(): Promise<CoverageMap> };
  return report.getCoverageMapFromAllCoverageFiles();
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** A file no test loaded, every line uncovered (as c8 --all counts it). */
function unloaded(path: string): FileCoverageData {
  const lines = readFileSync(path, 'utf8').replace(/\n$/, '').split('\n');
  const statementMap: FileCoverageData['statementMap'] = {};
  const s: FileCoverageData['s'] = {};
  lines.forEach((text, i) => {
    statementMap[i] = { start: { line: i + 1, column: 0 }, end: { line: i + 1, column: text.length } };
    s[i] = 0;
  });
  return { path, statementMap, s, fnMap: {}, f: {}, branchMap: {}, b: {} };
}

const pct = (covered: number, total: number) => (total === 0 ? 100 : (100 * covered) / total);
const cell = ({ covered, total }: { covered: number; total: number }) =>
  `${pct(covered, total).toFixed(1).padStart(5)}% ${`${covered}/${total}`.padStart(11)}`;

function printTable(map: CoverageMap): void {
  const folders = new Map<string, CoverageSummary>();
  const files: Array<{ file: string; summary: CoverageSummary }> = [];
  const total = libCoverage.createCoverageSummary();
  for (const path of map.files()) {
    const summary = map.fileCoverageFor(path).toSummary();
    const file = relative(root, path);
    files.push({ file, summary });
    const folder = `${dirname(file)}/`;
    if (!folders.has(folder)) folders.set(folder, libCoverage.createCoverageSummary());
    folders.get(folder)!.merge(summary);
    total.merge(summary);
  }
  const width = Math.max(...[...folders.keys(), ...files.map((f) => f.file)].map((name) => name.length)) + 2;
  const row = (name: string, s: CoverageSummary) => `${name.padEnd(width)}${cell(s.lines)}   ${cell(s.branches)}`;
  const header = `${''.padEnd(width)}${'lines'.padEnd(21)}${'branches'}`;
  console.log(`\n${header}`);
  for (const folder of [...folders.keys()].sort()) console.log(row(folder, folders.get(folder)!));
  console.log(row('total', total));
  // The files that leave most lines uncovered, among those under a target.
  const low = files
    .filter(
      ({ summary: s }) =>
        pct(s.lines.covered, s.lines.total) < TARGET.lines ||
        pct(s.branches.covered, s.branches.total) < TARGET.branches,
    )
    .sort(
      (a, b) => b.summary.lines.total - b.summary.lines.covered - (a.summary.lines.total - a.summary.lines.covered),
    );
  if (low.length > 0) {
    console.log(
      `\nfiles under ${TARGET.lines}% of lines or ${TARGET.branches}% of branches, most uncovered lines first:\n${header}`,
    );
    for (const { file, summary } of low) console.log(row(file, summary));
  }
  console.log(`\nline by line: ${relative(process.cwd(), join(out, 'html', 'index.html'))}`);
}

async function main(): Promise<number> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(raw, { recursive: true });
  // The build, with each bundle's source map beside it and no sourceMappingURL comment in it: with one, every Node
  // process would parse the map at start-up and copy it into its coverage (both runs twice as slow, megabytes each).
  if (run('npm', ['run', 'build'], { ...process.env, MFA_ENV_BUILD_SOURCEMAP: '1' }) !== 0) return 1;
  const bundles = takeMaps();
  try {
    // The build's one run of src/integration/ (the shell files from their templates), counted like the tests' runs.
    run(process.execPath, [join(root, 'build', 'renderIntegration.js'), root], {
      ...process.env,
      NODE_V8_COVERAGE: raw,
    });
    const status = run(
      process.execPath,
      [
        require.resolve('jest/bin/jest'),
        '--coverage',
        '--coverageProvider=v8',
        '--collectCoverageFrom=src/**/*.ts',
        '--coverageReporters=json',
        `--transform=${JSON.stringify({ '^.+\\.ts$': join(__dirname, 'coverageTransform.js') })}`,
        `--coverageDirectory=${jestDir}`,
        ...process.argv.slice(2),
      ],
      { ...process.env, NODE_V8_COVERAGE: raw },
    );
    const processes = keepBundles(bundles);
    rmSync(raw, { recursive: true, force: true });
    const map = await cliCoverage();
    map.filter((path) => path.startsWith(join(root, 'src') + sep));
    const jestJson = join(jestDir, 'coverage-final.json');
    if (existsSync(jestJson)) map.merge(JSON.parse(readFileSync(jestJson, 'utf8')));
    const loaded = new Set(map.files());
    // Files of types only compile to nothing: no line of them can run.
    const never = sourceFiles(join(root, 'src')).filter(
      (path) =>
        !loaded.has(path) &&
        transformSync(readFileSync(path, 'utf8'), { loader: 'ts', format: 'esm' }).code.trim() !== '',
    );
    for (const path of never) map.addFileCoverage(unloaded(path));
    rmSync(cliRaw, { recursive: true, force: true });
    writeFileSync(join(out, 'coverage-final.json'), JSON.stringify(map.toJSON()));
    reports
      .create('html', { subdir: 'html' })
      .execute(libReport.createContext({ dir: out, coverageMap: map, defaultSummarizer: 'nested' }));
    console.log(
      `\nsrc/ as run by ${processes} Node processes of dist/ and in Jest's own${never.length ? `; never loaded: ${never.map((p) => relative(root, p)).join(', ')}` : ''}`,
    );
    printTable(map);
    return status;
  } finally {
    // Back to the build that ships (no source maps), whatever happened.
    run('npm', ['run', 'build', '--silent']);
  }
}

main().then(
  (status) => (process.exitCode = status),
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
