import { UsageError } from '../errors';

/** Seconds from `3600`, `900s`, `15m`, `1h`, `1h30m`, `36h`. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/i.exec(trimmed);
  if (!match || trimmed === '') return undefined;
  const [, h = '0', m = '0', s = '0'] = match;
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

/** `12h`, `1h30m`, `15m`: how durations are shown back to the user. */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}

/**
 * Whole seconds from now to an end given in epoch seconds, counted as the shells count them (the clock's whole
 * seconds, `printf '%(%s)T'`, EPOCHSECONDS, `date +%s`), so that all say the same at the same moment.
 */
export function secondsUntil(endEpochSeconds: number, nowMs: number): number {
  return Math.floor(endEpochSeconds) - Math.floor(nowMs / 1000);
}

/** Part of the time-left text: literal text, or the whole number of `per` seconds in the time (in its rest `of`). */
export type TimeLeftPiece = string | { per: number; of?: number; digits?: number };

/**
 * The time a session has left, for people: whole minutes rounded down, so it never promises time that is not there
 * (`<1m`, `42m`, `1h05m`). As data, because it has one home for every place that shows it: `status` and `list`
 * (formatTimeLeft) and the shells' prompt segments, whose code the build renders from these steps
 * (src/integration/timeLeftCode.ts), since a prompt must work it out without starting a process.
 */
export const TIME_LEFT_STEPS: ReadonlyArray<{ below?: number; pieces: readonly TimeLeftPiece[] }> = [
  { below: 60, pieces: ['<1m'] },
  { below: 3600, pieces: [{ per: 60 }, 'm'] },
  { pieces: [{ per: 3600 }, 'h', { per: 60, of: 3600, digits: 2 }, 'm'] },
];

export function formatTimeLeft(seconds: number): string {
  const step = TIME_LEFT_STEPS.find((s) => s.below === undefined || seconds < s.below) ?? TIME_LEFT_STEPS[0];
  return step.pieces
    .map((piece) =>
      typeof piece === 'string'
        ? piece
        : String(Math.floor((piece.of ? seconds % piece.of : seconds) / piece.per)).padStart(piece.digits ?? 0, '0'),
    )
    .join('');
}

/** GetSessionToken: 15 minutes to 36 hours, 12 hours unless asked. */
export const SESSION_TOKEN_LIMITS = { min: 900, max: 129600, default: 43200 } as const;
/** AssumeRole: 15 minutes to the role's maximum (at most 12 hours), 1 hour unless asked. */
export const ASSUME_ROLE_LIMITS = { min: 900, max: 43200, default: 3600 } as const;
/** STS caps a role session assumed with temporary credentials (role chaining) at 1 hour. */
export const CHAINED_ROLE_MAX = 3600;

/** A duration given by the user, as seconds; the range is checked once the profile says which limits apply. */
export function durationOption(text: string, what = '--duration'): number {
  const seconds = parseDuration(text);
  if (seconds === undefined) {
    throw new UsageError(
      `${what} ${JSON.stringify(text)} is not a duration; use seconds or a form like 15m, 1h, 12h, 36h`,
    );
  }
  return seconds;
}

/** `--timeout` seconds as milliseconds (undefined: the default). */
export function timeoutMs(seconds: number | undefined): number | undefined {
  if (seconds === undefined) return undefined;
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600)
    throw new UsageError('--timeout is the number of seconds to wait for AWS, more than 0 and at most 600');
  return seconds * 1000;
}
