import { unlinkSync } from 'node:fs';

/** Removes a file if it is there and may be removed; whether it went. Never throws: callers are cleaning up. */
export function removeFile(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}
