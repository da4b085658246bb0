#!/usr/bin/env node
// The entry point. The hot paths (`--clear`, a cached session) are answered by fastPath with a few small modules;
// everything else loads the full CLI (yargs and the commands) from main.ts, a bundle of its own.
import { writeSync } from 'node:fs';
import { useCompileCache } from './compileCache';
import { ExitCode } from './errors';
import { takeEvalChannel } from './evalChannel';
import { fastPath } from './fastPath';

const argv = process.argv.slice(2);
const channel = takeEvalChannel(process.env);
const output = fastPath(argv, process.env, process.geteuid?.() ?? 0);
if (output === undefined) {
  useCompileCache(process.env, process.geteuid?.() ?? 0);
  (require('./main') as typeof import('./main')).run(argv, channel);
} else if (output.isCode && channel) {
  channel.write(output.text);
} else {
  writeAll(output.text);
}

/** One synchronous write to stdout: no stream machinery to load for a few hundred bytes. */
function writeAll(text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(1, bytes, done);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
      // A non-blocking stdout someone handed us: let the stream wait for it.
      process.stdout.write(bytes.subarray(done));
      return;
    }
    // A closed stdout (`mfa-env --clear | head -0`) is the reader's choice, not a crash.
    process.exitCode = ExitCode.internal;
  }
}
