// Standalone test STS server for the demo, the benchmark and manual runs:
//
//   npx ts-node --transpile-only test/support/sts-server-main.ts CONFIG.json
//
// CONFIG.json holds a StsServerOptions object. Once listening, prints exactly one line of
// JSON to stdout, {"url":"http://127.0.0.1:PORT","port":PORT}, so a parent process can read
// the address; logs one line per request to stderr (never a whole key, secret or token);
// exits with status 0 on SIGTERM or SIGINT (and stops by itself if its parent dies).
import * as fs from 'node:fs';
import { type StsCall, StsServer, type StsServerOptions } from './sts-server';

function logLine(call: StsCall): void {
  // Only the last 4 characters of the key: enough to tell users apart in a log.
  const key = call.accessKeyId ? `…${call.accessKeyId.slice(-4)}` : '-';
  const outcome = [String(call.status), call.errorCode, call.fault && `fault=${call.fault}`].filter(Boolean).join(' ');
  process.stderr.write(`sts-server ${new Date(call.at).toISOString()} ${call.action || '-'} key=${key} ${outcome}\n`);
}

async function main(): Promise<void> {
  const configPath = process.argv[2];
  if (!configPath) {
    process.stderr.write('usage: sts-server-main CONFIG.json\n');
    process.exitCode = 2;
    return;
  }
  const opts = JSON.parse(fs.readFileSync(configPath, 'utf8')) as StsServerOptions;
  const server = await StsServer.start({ ...opts, onCall: logLine });

  let stopping = false;
  const shutdown = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`sts-server: ${reason}, stopping\n`);
    // Should a socket refuse to die, do not hang the parent forever.
    setTimeout(() => process.exit(1), 5000).unref();
    server.stop().then(
      () => {
        process.exitCode = 0;
      },
      () => {
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  // npx (npm 11) dies on SIGTERM without passing it on, which would orphan this server and
  // leave its port open: treat a new parent process id as the signal to stop.
  const parent = process.ppid;
  const orphanCheck = setInterval(() => {
    if (process.ppid !== parent) shutdown('parent process gone');
  }, 250);
  orphanCheck.unref();

  process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`sts-server: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
