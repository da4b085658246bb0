import type { CommandIo } from '../commandIo';
import { originalEnv } from '../env/envChange';
import { formatOfShell, type Shell } from '../env/formats';
import { renderSession } from '../env/sessionExport';
import { checkProfileNameToWrite } from '../profiles/checks';
import { minTtlSeconds } from '../session/cacheSettings';
import { loadedSession, type SessionArgs, sessionFor } from '../session/sessionSource';
import { writeProfile } from './writeProfile';

export interface ExportArgs extends SessionArgs {
  shell: Shell;
  /** Write the session into this credentials-file profile instead of printing it. */
  writeProfile?: string;
}

/** `mfa-env [PROFILE]`: shell code (or JSON, or dotenv lines) that loads a session for the profile. */
export async function exportSession(args: ExportArgs, io: CommandIo): Promise<string> {
  const format = args.format ?? formatOfShell(args.shell);
  // Refused before a code is asked for: a name the SDKs would read back as another profile (or as two).
  if (args.writeProfile !== undefined) checkProfileNameToWrite(args.writeProfile, '--write-profile');
  const { plan, session } = await sessionFor(args, io);
  if (args.writeProfile !== undefined) {
    await writeProfile(args.writeProfile, plan, session, io);
    return '';
  }
  return renderSession(format, io.env, loadedSession(plan, session), minTtlSeconds(originalEnv(io.env)));
}
