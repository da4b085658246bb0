// `npm pack` and `npm publish` ship a prebuilt dist/, so the package.json inside the tarball needs no build step:
// `prepack` takes out the scripts npm counts as install scripts (`prepare` builds dist/ in a git clone, on
// `npm install`), so that installing the tarball runs nothing and npm has no install script to warn about
// (allowScripts); `postpack` puts package.json back as it was. `node scripts/packManifest.js strip|restore`.
const { existsSync, readFileSync, renameSync, writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const manifest = join(root, 'package.json');
const backup = join(root, 'build', 'package.json.before-pack');
// What npm runs when a package is installed (prepare only for git and local sources, but it warns of it for all).
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];

const step = process.argv[2];
if (step === 'strip') {
  // A pack that failed before postpack left the stripped file: put the original back first.
  if (existsSync(backup)) renameSync(backup, manifest);
  const text = readFileSync(manifest, 'utf8');
  const json = JSON.parse(text);
  mkdirSync(join(root, 'build'), { recursive: true });
  writeFileSync(backup, text);
  for (const name of INSTALL_SCRIPTS) delete json.scripts[name];
  writeFileSync(manifest, `${JSON.stringify(json, null, 2)}\n`);
} else if (step === 'restore') {
  if (existsSync(backup)) renameSync(backup, manifest);
} else {
  console.error('usage: node scripts/packManifest.js strip|restore');
  process.exitCode = 2;
}
