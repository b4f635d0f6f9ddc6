/** A CSV cell: text, a number, or null for an empty one. */
export type CsvValue = string | number | null;

/**
 * One CSV record (RFC 4180) without its line break: a field holding a comma,
 * a double quote, a line break or leading / trailing spaces is quoted, its
 * quotes doubled; null is an empty field.
 * @example csvRecord(['send, "bulk"', 3, null]) // '"send, ""bulk""",3,'
 */
export function csvRecord(values: readonly CsvValue[]): string {
  return values.map(csvField).join(',');
}

function csvField(value: CsvValue): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A whole CSV text: the header, then the rows, each line ended by CRLF as RFC 4180 says. */
export function csvText(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map((r) => `${csvRecord(r)}\r\n`).join('');
}
