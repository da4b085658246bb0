// The prompt segments' time-left text, rendered from the one rule (TIME_LEFT_STEPS in src/profiles/duration.ts) into
// each shell's syntax at build time: an if/else chain on `$left` (seconds) that sets `text`. Every piece goes
// through printf: literal text in its format (plain text only, checked), each number as %d or %0Nd of an integer
// division.
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
      lines.push(`  printf -v text ${format(step.pieces)}${args(step.pieces, arithmetic)}`);
    }
  });
  lines.push(shell === 'fish' ? 'end' : 'fi');
  return lines.join('\n');
}

/** The printf format, single-quoted: the rule's literal text is plain (checked), so the quotes need no escaping. */
function format(pieces: readonly TimeLeftPiece[]): string {
  const text = pieces
    .map((piece) => {
      if (typeof piece !== 'string') return piece.digits ? `%0${piece.digits}d` : '%d';
      if (!/^[\w<>: ]*$/.test(piece)) throw new Error(`time-left text ${JSON.stringify(piece)} is not plain`);
      return piece;
    })
    .join('');
  return `'${text}'`;
}

function args(pieces: readonly TimeLeftPiece[], number: (p: Exclude<TimeLeftPiece, string>) => string): string {
  return pieces.map((piece) => (typeof piece === 'string' ? '' : ` ${number(piece)}`)).join('');
}

/** bash and zsh: integer arithmetic, as `$((left % 3600 / 60))`. */
function arithmetic({ per, of }: Exclude<TimeLeftPiece, string>): string {
  return `$((left${of ? ` % ${of}` : ''} / ${per}))`;
}

/** fish: math, rounded down to an integer. */
function fishNumber({ per, of }: Exclude<TimeLeftPiece, string>): string {
  return `(math -s0 floor $left${of ? ` % ${of}` : ''} / ${per})`;
}
