/**
 * The rows of a CSV text (RFC 4180: fields in double quotes may hold commas, quotes doubled and line breaks; lines
 * end in CRLF or LF), each with its line number as a spreadsheet would number the row.
 */
export function csvRows(text: string): Array<{ rowNumber: number; cells: string[] }> {
  const rows: Array<{ rowNumber: number; cells: string[] }> = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowStart = 1;
  const endRow = () => {
    cells.push(cell);
    rows.push({ rowNumber: rowStart, cells });
    cells = [];
    cell = '';
    rowStart = line;
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else {
        if (char === '\n') line++;
        cell += char;
      }
    } else if (char === '"' && cell === '') quoted = true;
    else if (char === ',') {
      cells.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      line++;
      endRow();
    } else cell += char;
  }
  if (cell !== '' || cells.length > 0) endRow();
  return rows;
}
