// How a value from outside (a config file, the environment, a server's answer) is put in text for people, so that
// what it holds (newlines, terminal escapes, bidirectional controls) can neither break a one-line message nor drive
// the terminal. The one definition of "control character" for everything mfa-env shows or accepts as a name.

// C0, DEL, C1 and the Unicode line and paragraph separators: what can move the cursor, start an escape sequence or
// break a line on some terminal; and the bidirectional controls, which can make a line read other than it is
// (a profile name shown backwards).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const CONTROLS = new RegExp(CONTROL.source, 'g');

/**
 * Quotes a value for an error message so that whatever a config file or server put in it (newlines, terminal
 * escapes) cannot break the one-line message or drive the user's terminal.
 */
export function show(value: string): string {
  // JSON escapes C0 itself; the rest of the controls are escaped the same way.
  return JSON.stringify(value).replace(CONTROLS, unicodeEscape);
}

/**
 * A name or value from a file or the environment in text for people (`list`, `status`): as it is when it is plain,
 * so ordinary names read as written; quoted by show() when it holds a control character.
 */
export function showName(value: string): string {
  return CONTROL.test(value) ? show(value) : value;
}

/** Whether a value holds any of those characters: what no credential or name shown to people may hold. */
export function hasControls(value: string): boolean {
  return CONTROL.test(value);
}

/** A sentence that may carry such a value unquoted (a message from below): each control character as `\uXXXX`. */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, unicodeEscape);
}

/** Text for a terminal prompt: each control character as `?` (a prompt line stays short and readable). */
export function maskControls(text: string): string {
  return text.replace(CONTROLS, '?');
}

function unicodeEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
