import type { CommandIo } from '../commandIo';
import { startCredentialEndpoint } from '../endpoint/credentialEndpoint';
import { endpointChange, originalEnv } from '../env/envChange';
import { AwsRefusedError, InterruptedError, MfaEnvError, MfaInputError, NetworkError } from '../errors';
import { mustHideCredentialsFile } from '../profiles/defaultCredentials';
import { memoryStore, type SessionStore } from '../session/cache';
import { cacheDisabled, minTtlSeconds } from '../session/cacheSettings';
import { type CodeSource, noCodeSource } from '../session/mfaCode';
import { type SessionSource, sessionOnce } from '../session/sessionSource';
import type { TemporaryCredentials } from '../session/sts';
import { show } from '../text/showText';
import { applied, type ExecArgs } from './execCommand';

/**
 * After a code could not be had (no way to ask, a cancelled dialog, a wrong code), requests are answered with that
 * error for this long without asking again: the SDKs retry within seconds, and a dialog must not pop up for each try.
 */
const REFUSAL_MS = 30_000;

export interface ServedSession {
  /** The command's environment: the endpoint's two variables, and none of the credentials the SDKs would prefer. */
  env: NodeJS.ProcessEnv;
  /** Ends the endpoint (and any prompt it has up): called when the command has ended. */
  close(): void;
}

/**
 * `exec --server`: gets the session now (asking for a code if one is needed, as plain exec does), then serves it to
 * the command from a credential endpoint. Each request goes through the same pipeline: the cache, else a role
 * renewed from the cached MFA session with no code, else a code from the terminal, mfa_process or the mfa_prompt
 * dialog; with none to be had, the SDK gets an error it reports. One request at a time does the work; the others wait
 * for its answer.
 */
export async function serveSession(source: SessionSource, args: ExecArgs, io: CommandIo): Promise<ServedSession> {
  const original = originalEnv(io.env);
  // Before a code is asked for: a config the endpoint cannot work with is said first.
  const hideCredentialsFile = mustHideCredentialsFile(source.profiles.files);
  // With no disk cache, the MFA session lives here, or every renewal would take a code.
  const store: SessionStore | undefined =
    args.cache === false || cacheDisabled(original) ? memoryStore(minTtlSeconds(original), io.now) : undefined;
  await sessionOnce(source, { refresh: args.refresh, store });

  const codes = source.laterCodes(
    noCodeSource(
      'there is no terminal to ask on',
      'set mfa_prompt (a desktop dialog) or mfa_process for the profile, or run the command again',
    ),
  );
  const said = new Set<string>();
  let inFlight: Promise<TemporaryCredentials> | undefined;
  let refusal: { error: unknown; until: number } | undefined;
  const credentials = (): Promise<TemporaryCredentials> => {
    if (refusal && Date.now() < refusal.until) return Promise.reject(refusal.error);
    inFlight ??= (async () => {
      const asking = noting(codes);
      try {
        return (await source.obtain(asking.source, { store })).credentials;
      } catch (err) {
        if (asking.asked()) refusal = { error: err, until: Date.now() + REFUSAL_MS };
        if (!(err instanceof MfaEnvError))
          io.debug?.(`credential endpoint: ${err instanceof Error ? err.stack : String(err)}`);
        // Once per distinct problem: the SDKs ask again and again.
        const message = failure(err).message;
        if (!said.has(message)) {
          said.add(message);
          io.say(
            `the credential endpoint for the command has no credentials to give: ${message.replace(/^mfa-env: /, '')}`,
          );
        }
        throw err;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };

  const endpoint = await startCredentialEndpoint({ credentials, failure, debug: io.debug });
  io.debug?.(
    `credential endpoint for profile ${show(source.plan.profile)} at ${endpoint.url}${hideCredentialsFile ? '; the command gets AWS_SHARED_CREDENTIALS_FILE=/dev/null' : ''}`,
  );
  const env = applied(
    original,
    endpointChange(original, {
      url: endpoint.url,
      token: endpoint.token,
      region: source.plan.region,
      hideCredentialsFile,
    }),
  );
  return {
    env,
    close() {
      endpoint.close();
      codes.close?.();
    },
  };
}

/** The code source, and whether it was asked during one request (a code was needed). */
function noting(codes: CodeSource): { source: CodeSource; asked(): boolean } {
  let asked = false;
  return {
    source: {
      name: codes.name,
      get attempts() {
        return codes.attempts;
      },
      asksNobody: codes.asksNobody,
      next(request) {
        asked = true;
        return codes.next(request);
      },
    },
    asked: () => asked,
  };
}

/** What the SDK is told: a code naming the kind of problem, and mfa-env's own message for it (it names no secret). */
function failure(err: unknown): { code: string; message: string } {
  const code =
    err instanceof MfaInputError || err instanceof InterruptedError
      ? 'MfaCodeUnavailable'
      : err instanceof NetworkError
        ? 'StsUnavailable'
        : err instanceof AwsRefusedError
          ? 'StsRefused'
          : err instanceof MfaEnvError
            ? 'SessionUnavailable'
            : 'InternalError';
  return {
    code,
    message: err instanceof MfaEnvError ? `mfa-env: ${err.message}` : 'mfa-env: unexpected error; run it with --debug',
  };
}
