// The hostile-value corpus of the security tests: test/support/hostileValues.ts's list, extended with every kind of
// quote, shell-specific expansions (zsh `=cmd`, fish `(cmd)`, process substitution, history), every C0 control byte,
// C1 controls, terminal escapes, Unicode oddities, lone surrogates, invalid UTF-8 as raw bytes, leading dashes,
// printf directives and very long strings. Every payload that could run code touches CANARY.
import { hostileValues } from '../../support/hostileValues';

export interface Hostile {
  /** Short, printable, unique: for test names and file names. */
  label: string;
  /**
   * The value as a JS API would be handed it (argv, env, XML). May hold lone surrogates, which any UTF-8 encoder
   * turns into U+FFFD; for raw-byte values it is what a UTF-8 decoder makes of `raw`.
   */
  text: string;
  /** The bytes written into files and the environment (through a shell): invalid UTF-8 stays invalid here. */
  raw: Buffer;
  /** True when `raw` is not valid UTF-8 (or `text` holds a lone surrogate): only U+FFFD can come back from Node. */
  lossy: boolean;
}

function fromText(text: string, label?: string): Hostile {
  const raw = Buffer.from(text, 'utf8');
  return { label: label ?? labelOf(text), text, raw, lossy: raw.toString('utf8') !== text };
}

function fromBytes(bytes: number[] | Buffer, label: string): Hostile {
  const raw = Buffer.from(bytes);
  const text = raw.toString('utf8');
  return { label, text, raw, lossy: !Buffer.from(text, 'utf8').equals(raw) };
}

function labelOf(text: string): string {
  const shown = JSON.stringify(text.length > 24 ? `${text.slice(0, 20)}…(${text.length})` : text);
  return shown.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function hostileCorpus(canary: string): Hostile[] {
  const touch = `touch ${canary}`;
  const texts = [
    ...hostileValues(canary),
    // quotes of every kind
    '‘single curly’',
    '“double curly”',
    '＇fullwidth＇＂',
    "$'ansi\\x41c'",
    `$'\\x27; ${touch}; echo \\x27'`,
    `"'"'"'; ${touch}`,
    // expansions of particular shells
    `=(${touch})`,
    '=ls',
    `<(${touch})`,
    `>(${touch})`,
    `$((\`${touch}\`))`,
    `\${x:-$(${touch})}`,
    `\${(e)\${:-\\$(${touch})}}`,
    `%self (${touch})`,
    `\\$(${touch})`,
    `a\\\n${touch}`,
    `\n${touch}\n`,
    `x\r${touch}`,
    `; ${touch}`,
    `| ${touch}`,
    `\u0000${touch}`,
    // history, printf, dashes, globs
    '!',
    '!-1',
    '%s%s%s%s%s%s%s%s',
    '-',
    '-e',
    '--version',
    '**/*',
    '[!a]*',
    ' #not a comment',
    ' ;not a comment',
    'a #b',
    'a ;b',
    // whitespace and Unicode oddities
    '\u00a0nbsp\u00a0',
    '\u2028line\u2029separators',
    '\u0085next line',
    '\ufeffbom',
    '\u202eright-to-left override',
    'tset\u2067isolates\u2069\u200f',
    '\u200e\u202a\u202b\u202c\u202d\u2066\u2068\u2069',
    '\ufffe\uffff',
    '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 astral',
    // C1 controls and terminal escapes
    '\u0080\u0085\u009b\u009f',
    '\u009b31mcsi8bit',
    '\u001b]0;window title\u0007',
    '\u001b]52;c;aGFja2Vk\u0007',
    '\u001b[2J\u001b[H',
    '\u001bP+q\u001b\\',
    // lone surrogates (JS strings only: any UTF-8 encoder makes them U+FFFD)
    '\ud800',
    'a\ud83db',
    // long
    `'`.repeat(5000),
    '$(x)'.repeat(2000),
    '\\'.repeat(4097),
    'é'.repeat(10000),
  ];
  const out = texts.map((t) => fromText(t));
  // Control bytes: all of C0 and DEL together, and on their own those that shells or terminals act on.
  out.push(fromText(`${Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join('')}\u007f`, 'ctl-all'));
  for (const b of [0x08, 0x0b])
    out.push(fromText(`c${String.fromCharCode(b)}c`, `ctl-0x${b.toString(16).padStart(2, '0')}`));
  // Invalid UTF-8, written raw into files and the environment.
  out.push(
    fromBytes([0xff], 'raw-ff'),
    fromBytes([0x61, 0xfe, 0x62], 'raw-a-fe-b'),
    fromBytes([0xe2, 0x82], 'raw-truncated-3byte'),
    fromBytes([0xed, 0xa0, 0x80], 'raw-cesu-surrogate'),
    fromBytes(
      Buffer.concat([Buffer.from("x'"), Buffer.from([0x80]), Buffer.from(`'$(${touch})`)]),
      'raw-quote-80-subst',
    ),
    fromBytes([0x27, 0xc0, 0x27], 'raw-quote-c0-quote'),
    fromBytes([0x5c, 0xe0, 0x27], 'raw-backslash-e0-quote'),
  );
  // Unique labels (the corpus doubles a few of hostileValues' own).
  const seen = new Map<string, number>();
  for (const h of out) {
    const n = seen.get(h.label) ?? 0;
    seen.set(h.label, n + 1);
    if (n > 0) h.label = `${h.label}#${n}`;
  }
  return out;
}
