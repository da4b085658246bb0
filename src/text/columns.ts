/**
 * Rows as aligned text columns for people (`list`, `keys list`): two spaces between columns, the last column not
 * padded, no trailing spaces. Cells are shown as they are: callers pass them through showName first.
 */
export function formatColumns(table: string[][]): string {
  // Loops rather than spreads and maps: `list` lays out thousands of rows on every call.
  const last = table[0].length - 1;
  const widths = new Array<number>(last).fill(0);
  for (const row of table) for (let i = 0; i < last; i++) widths[i] = Math.max(widths[i], row[i].length);
  let text = '';
  for (const row of table) {
    let line = '';
    for (let i = 0; i < last; i++) line += `${row[i].padEnd(widths[i])}  `;
    text += `${(line + row[last]).trimEnd()}\n`;
  }
  return text;
}
