import { csvRows } from './csv-text';

describe('CSV as Excel writes it', () => {
  it('splits fields at commas and rows at CRLF or LF, numbering rows as the sheet does', () => {
    expect(csvRows('序号,地点\r\n1,蔡郢村\n2,王家坝村\r\n')).toEqual([
      { rowNumber: 1, cells: ['序号', '地点'] },
      { rowNumber: 2, cells: ['1', '蔡郢村'] },
      { rowNumber: 3, cells: ['2', '王家坝村'] },
    ]);
  });

  it('keeps commas, doubled quotes and line breaks inside quoted fields, and counts those lines', () => {
    expect(csvRows('"a,b","say ""hi""","two\r\nlines"\r\nnext,,\r\n')).toEqual([
      { rowNumber: 1, cells: ['a,b', 'say "hi"', 'two\r\nlines'] },
      { rowNumber: 3, cells: ['next', '', ''] },
    ]);
  });

  it('takes a last row without a line end', () => {
    expect(csvRows('a,b')).toEqual([{ rowNumber: 1, cells: ['a', 'b'] }]);
  });
});
