/** One column of a table. */
export interface Column<Row> {
  readonly header: string;
  readonly cell: (row: Row) => string;
  /** Longer cells are cut with an ellipsis (default: never cut). */
  readonly maxWidth?: number;
  /** Leave the column out when every cell is empty (default false). */
  readonly hideWhenEmpty?: boolean;
}

const gap = "  ";

/**
 * Renders rows as left-aligned columns under upper-case headers, one line
 * per row, no trailing spaces. Widths count code points, so East Asian wide
 * characters make a row look a little longer than it is.
 */
export function renderTable<Row>(
  columns: readonly Column<Row>[],
  rows: readonly Row[],
): string {
  const cells = rows.map((row) => columns.map((column) => fitCell(column, row)));
  const shown = columns
    .map((column, index) => ({ column, index }))
    .filter(
      ({ column, index }) => !column.hideWhenEmpty || cells.some((r) => r[index] !== ""),
    );
  const widths = shown.map(({ column, index }) =>
    Math.max(width(column.header), ...cells.map((r) => width(r[index] ?? ""))),
  );
  const line = (values: readonly string[]) =>
    shown
      .map(({ index }, i) => pad(values[index] ?? "", widths[i] ?? 0))
      .join(gap)
      .trimEnd();
  const header = line(columns.map((column) => column.header.toUpperCase()));
  return [header, ...cells.map(line)].join("\n");
}

/** Aligned "key: value" lines; continuation lines of a value are indented. */
export function renderFields(fields: readonly (readonly [string, string])[]): string {
  const keyWidth = Math.max(...fields.map(([key]) => width(key))) + 2;
  return fields
    .map(([key, value]) => {
      const [first = "", ...rest] = value.split("\n").map(printable);
      const indent = " ".repeat(keyWidth);
      return [pad(`${key}:`, keyWidth) + first, ...rest.map((l) => indent + l)]
        .join("\n")
        .trimEnd();
    })
    .join("\n");
}

/**
 * Replaces control characters, so a title written by another user cannot
 * move the cursor or recolour the terminal, nor break a table row.
 */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ");
}

function fitCell<Row>(column: Column<Row>, row: Row): string {
  const text = printable(column.cell(row));
  const max = column.maxWidth;
  if (max === undefined || width(text) <= max) return text;
  return `${[...text].slice(0, max - 1).join("")}…`;
}

function width(text: string): number {
  return [...text].length;
}

function pad(text: string, to: number): string {
  return text + " ".repeat(Math.max(0, to - width(text)));
}
