import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { externalDataInterceptor, loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import { ConfigError } from '../errors';
import { show } from '../text/showText';
import { configFilePaths, type Env } from './configPaths';

export { configFilePaths, type Env };
export type Section = Record<string, string>;

export interface ConfigFiles {
  configPath: string;
  credentialsPath: string;
  /** Sections of the config file by profile name (`[profile x]` is `x`); also `services.NAME` sections. */
  config: Record<string, Section>;
  /** Sections of the credentials file by name. */
  credentials: Record<string, Section>;
}

/**
 * Reads both files and parses them with the SDK's own INI loader, so profiles mean here what they mean to the AWS
 * CLI. The loader swallows every read error (a typo'd path and a permission problem both look like "no
 * profiles"), so the files are read here first: a missing file is empty, any other failure names the file.
 */
export async function loadConfigFiles(env: Env, { maxSections }: { maxSections?: number } = {}): Promise<ConfigFiles> {
  const { configPath, credentialsPath } = configFilePaths(env);
  const [configText, credentialsText] = await Promise.all([readAwsFile(configPath), readAwsFile(credentialsPath)]);
  if (maxSections !== undefined) {
    // Counted before the SDK parses them, which costs about 2 us per section.
    const sections =
      (configText.match(/^[ \t]*\[/gm)?.length ?? 0) + (credentialsText.match(/^[ \t]*\[/gm)?.length ?? 0);
    if (sections > maxSections) throw new TooManySections(sections);
  }
  return parseConfigTexts({ configPath, credentialsPath }, configText, credentialsText);
}

/** Both files' texts as the SDK parses them: also what an edit is checked with before it is written. */
export async function parseConfigTexts(
  paths: { configPath: string; credentialsPath: string },
  configText: string,
  credentialsText: string,
): Promise<ConfigFiles> {
  const { configPath, credentialsPath } = paths;
  externalDataInterceptor.interceptFile(configPath, configText);
  externalDataInterceptor.interceptFile(credentialsPath, credentialsText);
  const parsed = await loadSharedConfigFiles({ configFilepath: configPath, filepath: credentialsPath });
  return {
    configPath,
    credentialsPath,
    config: parsed.configFile as Record<string, Section>,
    credentials: parsed.credentialsFile as Record<string, Section>,
  };
}

export type AwsFileKind = 'config' | 'credentials';

let parsed = 0;

/**
 * The sections of a text as the SDK's loader reads a file of that kind (config: profile names without `profile `,
 * `services.NAME`; credentials: names as written). For checking text before it is written.
 */
export async function parseAwsText(text: string, kind: AwsFileKind): Promise<Record<string, Section>> {
  // Paths of their own, never on disk: the loader reads through its interceptor by path.
  const name = `/nonexistent/mfa-env-text-${parsed++}`;
  const files = await parseConfigTexts(
    { configPath: `${name}-config`, credentialsPath: `${name}-credentials` },
    kind === 'config' ? text : '',
    kind === 'credentials' ? text : '',
  );
  return files[kind];
}

/** More sections than a caller wanted parsed (see loadConfigFiles' maxSections). */
export class TooManySections extends Error {
  constructor(readonly sections: number) {
    super(`${sections} sections`);
  }
}

/**
 * Far beyond any real config (5,000 profiles are about 400 KB): reading and parsing more would cost every command
 * seconds, and a device or a file that keeps growing would never end.
 */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

async function readBounded(handle: import('node:fs/promises').FileHandle, path: string): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(256 * 1024);
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) return Buffer.concat(chunks, total).toString('utf8');
    total += bytesRead;
    if (total > MAX_FILE_BYTES) {
      throw new ConfigError(
        `${show(path)}: larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB, more than any AWS config holds; point the AWS config variables at the real file`,
      );
    }
    chunks.push(chunk.subarray(0, bytesRead));
  }
}

/**
 * One AWS file's text, as mfa-env reads it for every purpose: a missing file is empty; a pipe, a socket, a directory,
 * an unreadable file or one over MAX_FILE_BYTES is a ConfigError naming it.
 */
export async function readAwsFile(path: string): Promise<string> {
  let text: string;
  try {
    // O_NONBLOCK: a FIFO in place of the file must not hang every new shell; it is refused below instead.
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const stat = await handle.stat();
      if (stat.isFIFO() || stat.isSocket())
        throw new ConfigError(
          `${show(path)}: it is a ${stat.isFIFO() ? 'named pipe' : 'socket'}, not a file; point the AWS config variables at a file`,
        );
      text = await readBounded(handle, path);
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return '';
    const why =
      code === 'EACCES' || code === 'EPERM'
        ? 'permission denied; check its owner and mode'
        : code === 'EISDIR'
          ? 'it is a directory, not a file'
          : `cannot read it (${code ?? 'unknown error'})`;
    throw new ConfigError(`${show(path)}: ${why}`);
  }
  // The SDK's parser throws on such a section and its loader then drops the whole file without a word: every
  // profile in it would be "not found". Said here instead, with the file to fix.
  if (/^[ \t]*\[(?:profile )?__proto__\](?:[ \t]*|[ \t]+[;#].*)\r?$/m.test(text)) {
    throw new ConfigError(
      `${show(path)}: a section named [__proto__] is not allowed (the AWS SDKs ignore the whole file because of it); rename or remove it`,
    );
  }
  return text;
}
