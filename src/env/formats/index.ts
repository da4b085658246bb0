import type { EnvChange } from '../envChange';
import { renderFish } from './fish';
import { renderSh } from './sh';

export const SHELLS = ['sh', 'bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** Shell code that applies the change when evaluated by `shell`. */
export function renderForShell(shell: Shell, change: EnvChange): string {
  return shell === 'fish' ? renderFish(change) : renderSh(change);
}
