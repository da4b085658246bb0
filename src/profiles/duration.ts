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

export const SESSION_TOKEN_LIMITS = { min: 900, max: 129600, default: 43200 } as const;

/** A `--duration` value as seconds, refused with the allowed range when STS would refuse it. */
export function durationOption(text: string, limits: { min: number; max: number }, what = '--duration'): number {
  const seconds = parseDuration(text);
  if (seconds === undefined) {
    throw new UsageError(`${what} ${JSON.stringify(text)} is not a duration; use seconds or a form like 15m, 1h, 12h, 36h`);
  }
  if (seconds < limits.min || seconds > limits.max) {
    throw new UsageError(
      `${what} ${JSON.stringify(text)} is out of range; STS allows ${formatDuration(limits.min)} to ${formatDuration(limits.max)} (${limits.min}-${limits.max} seconds)`,
    );
  }
  return seconds;
}
