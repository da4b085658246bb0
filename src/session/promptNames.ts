/**
 * How a code is asked for when none was given (`mfa_prompt`, `--prompt`), named as aws-vault's `--prompt` drivers:
 * the terminal, or a desktop dialog (zenity for GNOME and most X11/Wayland desktops, kdialog for KDE, osascript on
 * macOS). Kept apart from the dialogs themselves so that parsing flags and profiles loads none of them.
 */
export const PROMPTS = ['terminal', 'zenity', 'kdialog', 'osascript'] as const;
export type Prompt = (typeof PROMPTS)[number];
export type DialogPrompt = Exclude<Prompt, 'terminal'>;

export function isPrompt(value: string): value is Prompt {
  return (PROMPTS as readonly string[]).includes(value);
}
