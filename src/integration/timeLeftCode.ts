// The prompt segments' time-left text, rendered from the one rule (TIME_LEFT_STEPS in src/profiles/duration.ts) into
// each shell's syntax at build time: an if/else chain on `$left` (seconds) that sets `text`. Every piece goes
// through printf (zsh: parameter expansion): literal text in its format (plain text only, checked), each number as
// %d or %0Nd of an integer division.
import { TIME_LEFT_STEPS, type TimeLeftPiece } from '../profiles/duration';
import type { IntegrationShell } from './shellTable';

/** The code, one line per element, indented from the line the template's placeholder is on. */
export function timeLeftCode(shell: IntegrationShell): string {
  const lines: string[] = [];
  TIME_LEFT_STEPS.forEach((step, i) => {
    const last = i === TIME_LEFT_STEPS.length - 1;
    if (shell === 'fish') {
      lines.push(last ? 'else' : `${i === 0 ? 'if' : 'else if'} test $left -lt ${step.below}`);
      lines.push(`    set text (printf ${format(step.pieces)}${args(step.pieces, fishNumber)})`);
    } else {
      lines.push(last ? 'else' : `${i === 0 ? 'if' : 'elif'} ((left < ${step.below})); then`);
      // zsh's printf has -v only from 5.3 (mfa-env supports 5.1): there, parameter expansion pads the numbers.
      lines.push(
        shell === 'zsh'
          ? `  text="${step.pieces.map((piece) => (typeof piece === 'string' ? plain(piece) : zshNumber(piece))).join('')}"`
          : `  printf -v text ${format(step.pieces)}${args(step.pieces, arithmetic)}`,
      );
    }
  });
  lines.push(shell === 'fish' ? 'end' : 'fi');
  return lines.join('\n');
}

/** The printf format, single-quoted: the rule's literal text is plain (checked), so the quotes need no escaping. */
function format(pieces: readonly TimeLeftPiece[]): string {
  const text = pieces
    .map((piece) => (typeof piece === 'string' ? plain(piece) : piece.digits ? `%0${piece.digits}d` : '%d'))
    .join('');
  return `'${text}'`;
}

/** Literal text of the rule, which must need no quoting in any shell's single or double quotes, nor in a format. */
function plain(text: string): string {
  if (!/^[\w<>: ]*$/.test(text)) throw new Error(`time-left text ${JSON.stringify(text)} is not plain`);
  return text;
}

function args(pieces: readonly TimeLeftPiece[], number: (p: Exclude<TimeLeftPiece, string>) => string): string {
  return pieces.map((piece) => (typeof piece === 'string' ? '' : ` ${number(piece)}`)).join('');
}

/** bash and zsh: integer arithmetic, as `$((left % 3600 / 60))`. */
function arithmetic({ per, of }: Exclude<TimeLeftPiece, string>): string {
  return `$((left${of ? ` % ${of}` : ''} / ${per}))`;
}

/** zsh, inside double quotes: `$(( left % 3600 / 60 ))`, left-padded with zeros by `(l:N::0:)` when it has digits. */
function zshNumber({ per, of, digits }: Exclude<TimeLeftPiece, string>): string {
  const value = `$(( left${of ? ` % ${of}` : ''} / ${per} ))`;
  return digits ? `\${(l:${digits}::0:)${value}}` : value;
}

/** fish: math, rounded down to an integer. */
function fishNumber({ per, of }: Exclude<TimeLeftPiece, string>): string {
  return `(math -s0 floor $left${of ? ` % ${of}` : ''} / ${per})`;
}
