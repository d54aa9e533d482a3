// Plain aligned text tables for the terminal (kafka-consumer-groups style).

const ANSI_CODE = /\u001b\[[0-9;]*[A-Za-z]/g;

/** Columns a cell takes on screen: ANSI colour codes take none. */
export function visibleLength(text: string): number {
  return text.replace(ANSI_CODE, '').length;
}

/**
 * Lines of a table: columns padded to their widest cell (by visible length, so coloured cells line
 * up), two spaces apart, trailing blanks trimmed. `right` right-aligns the columns it names.
 */
export function tableLines(headers: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number> = new Set()): string[] {
  const widths = headers.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => {
        const fill = ' '.repeat(Math.max(0, widths[i]! - visibleLength(c)));
        return right.has(i) ? fill + c : c + fill;
      })
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number> = new Set()): string {
  return tableLines(headers, rows, right).join('\n');
}
