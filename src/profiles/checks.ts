import { ConfigError, UsageError } from '../errors';
import { hasControls, show } from '../text/showText';
import { formatDuration } from './duration';

/** Says where a bad value came from: a flag, an environment variable, or a key of a profile in a file. */
export type Origin = string;

// STS's own constraint on SerialNumber: 9-256 characters of [\w+=/:,.@-].
export function isMfaSerial(serial: string): boolean {
  return /^[\w+=/:,.@-]{9,256}$/.test(serial);
}

export function checkMfaSerial(serial: string, origin: Origin): string {
  if (!isMfaSerial(serial)) {
    throw configOrUsage(
      origin,
      `${origin} is ${show(serial)}, not an MFA device; expected an ARN like arn:aws:iam::123456789012:mfa/NAME or a hardware serial`,
    );
  }
  return serial;
}

/**
 * A profile name mfa-env writes as a section header: what the SDKs' INI parser reads as a profile name in the config
 * file (`[profile NAME]`), which is also safe in the credentials file. Anything else (a space, brackets, a comment
 * character, a line break) would be read back as another name, or as no profile at all.
 */
export function isProfileNameToWrite(name: string): boolean {
  return /^[\w\-@+.%:/]{1,256}$/.test(name);
}

export function checkProfileNameToWrite(name: string, origin: Origin): string {
  if (!isProfileNameToWrite(name)) {
    throw configOrUsage(
      origin,
      `${origin} is ${show(name)}; a profile name mfa-env writes is letters, digits and - _ @ + . % : / only`,
    );
  }
  return name;
}

/** An access key id as IAM makes them: 16-128 word characters (20 capital letters and digits, `AKIA...`). */
export function isAccessKeyId(id: string): boolean {
  return /^\w{16,128}$/.test(id);
}

/** A secret access key: IAM's are 40 characters of base64; printable ASCII with room to spare, nothing else. */
export function isSecretAccessKey(secret: string): boolean {
  return /^[\x21-\x7e]{16,128}$/.test(secret);
}

/** An access key id, checked; the value is not shown: a secret pasted into the wrong place must not end up in a message. */
export function checkAccessKeyId(id: string, origin: Origin): string {
  if (!isAccessKeyId(id))
    throw configOrUsage(
      origin,
      `${origin} is not an access key id (IAM's are 20 capital letters and digits, starting with AKIA)`,
    );
  return id;
}

/** A secret access key, checked; never shown. */
export function checkSecretAccessKey(secret: string, origin: Origin): string {
  if (!isSecretAccessKey(secret)) {
    throw configOrUsage(
      origin,
      `${origin} is not a secret access key (IAM's are 40 characters of letters, digits, + and /)`,
    );
  }
  return secret;
}

export function checkRegion(region: string, origin: Origin): string {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(region))
    throw configOrUsage(origin, `${origin} is ${show(region)}, not a region name like us-east-1`);
  return region;
}

export function checkRoleArn(arn: string, origin: Origin): string {
  if (!/^arn:[\w-]+:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(arn)) {
    throw configOrUsage(origin, `${origin} is ${show(arn)}, not a role ARN like arn:aws:iam::123456789012:role/NAME`);
  }
  return arn;
}

// STS: RoleSessionName is 2-64 characters of [\w+=,.@-]; ExternalId 2-1224 of [\w+=,.@:/-].
export function checkSessionName(name: string, origin: Origin): string {
  if (!/^[\w+=,.@-]{2,64}$/.test(name)) {
    throw configOrUsage(
      origin,
      `${origin} is ${show(name)}; a role session name is 2-64 characters of letters, digits and + = , . @ - _`,
    );
  }
  return name;
}

export function checkExternalId(id: string, origin: Origin): string {
  if (!/^[\w+=,.@:/-]{2,1224}$/.test(id)) {
    throw configOrUsage(
      origin,
      `${origin} is ${show(id)}; an external id is 2-1224 characters of letters, digits and + = , . @ : / - _`,
    );
  }
  return id;
}

export function checkDuration(
  seconds: number,
  limits: { min: number; max: number },
  origin: Origin,
  why = 'STS allows',
): number {
  if (!Number.isInteger(seconds) || seconds < limits.min || seconds > limits.max) {
    throw configOrUsage(
      origin,
      `${origin} is ${formatDuration(seconds)} (${seconds} s), out of range; ${why} ${formatDuration(limits.min)} to ${formatDuration(limits.max)} (${limits.min}-${limits.max} seconds)`,
    );
  }
  return seconds;
}

export function checkEndpoint(url: string, origin: Origin): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw configOrUsage(origin, `${origin} is ${show(url)}, not an http(s) URL`);
  }
  // The URL parser silently drops tabs and newlines and trims spaces, so such a value would reach another
  // address than the one written; it is a mistake (or a trap), not an endpoint.
  if (/\s/.test(url) || hasControls(url)) {
    throw configOrUsage(
      origin,
      `${origin} is ${show(url)}, which holds spaces or control characters; write the URL alone`,
    );
  }
  return url;
}

// A bad flag is the user's typing (exit 2); anything else came from their files or environment (exit 3).
function configOrUsage(origin: Origin, message: string): Error {
  return origin.startsWith('--') ? new UsageError(message) : new ConfigError(message);
}
