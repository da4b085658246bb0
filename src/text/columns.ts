/**
 * Rows as aligned text columns for people (`list`, `keys list`): two spaces between columns, the last column not
 * padded, no trailing spaces. Cells are shown as they are: callers pass them through showName first.
 */
export function formatColumns(table: string[][]): string {
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return `${table.map(line).join('\n')}\n`;
}
