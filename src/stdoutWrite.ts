// The one way mfa-env writes its output to stdout: a synchronous write, with no stream machinery to load (Node's
// process.stdout costs every start milliseconds) for a few hundred bytes.
import { writeSync } from 'node:fs';

/**
 * Writes all of text to stdout; false when stdout is closed (`mfa-env --clear | head -0`), the reader's choice.
 * `stream` (the entry point's process.stdout, asked for only then) takes over a stdout that would block, and
 * `failed` is called when that write fails later.
 */
export function writeStdout(text: string, stream: () => NodeJS.WritableStream, failed: () => void): boolean {
  const bytes = Buffer.from(text, 'utf8');
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(1, bytes, done);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return false;
    // A non-blocking stdout someone handed us: let the stream wait for it (an error then is the reader's too).
    const stdout = stream();
    stdout.on('error', failed);
    stdout.write(bytes.subarray(done));
    return true;
  }
}
