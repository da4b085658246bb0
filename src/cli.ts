#!/usr/bin/env node
// The entry point. The hot paths (`--clear`, a cached session) are answered by fastPath with a few small modules;
// everything else loads the full CLI (yargs and the commands) from main.ts, a bundle of its own.
import { useCompileCache } from './compileCache';
import { ExitCode } from './errors';
import { takeEvalChannel } from './evalChannel';
import { fastPath } from './fastPath';
import { writeStdout } from './stdoutWrite';

const argv = process.argv.slice(2);
const channel = takeEvalChannel(process.env);
const output = fastPath(argv, process.env, process.geteuid?.() ?? 0, Date.now);
if (output === undefined) {
  useCompileCache(process.env, process.geteuid?.() ?? 0, {
    runtime: `${process.version} ${process.arch}`,
    atExit: (save) => process.once('exit', save),
  });
  (require('./main') as typeof import('./main')).run(argv, channel);
} else if (output.isCode && channel) {
  channel.write(output.text);
} else if (!writeStdout(output.text, () => process.stdout, failed)) {
  failed();
}

function failed(): void {
  process.exitCode = ExitCode.internal;
}
