import ExcelJS from 'exceljs';
import { PassThrough } from 'node:stream';
import { CellStyle, columnName, escapeXml, excelDay, SheetLayout, XlsxSheetWriter } from './xlsx-sheet';

const layout = (columns: number): SheetLayout => ({
  name: "台账's",
  creator: '整改',
  created: '2027-03-08T07:30:00.000Z',
  widths: Array.from({ length: columns }, (_, i) => 8 + i),
  frozen: { columns: 1, rows: 1 },
  merges: [],
  autoFilter: `A1:${columnName(columns - 1)}3`,
  printTitleRow: 1,
  footer: '第 &P 页',
});

/** Writes the rows (the first as a header) and reads the workbook back as a spreadsheet program would. */
async function roundTrip(columns: number, rows: ExcelJS.CellValue[][]): Promise<ExcelJS.Worksheet> {
  const out = new PassThrough();
  const bytes: Buffer[] = [];
  out.on('data', (chunk: Buffer) => bytes.push(chunk));
  const ended = new Promise((resolve) => out.on('end', resolve));
  const sheet = new XlsxSheetWriter(out, layout(columns));
  for (const [n, row] of rows.entries())
    sheet.row(
      row.map((value) => ({
        value: value instanceof Date ? { day: value.toISOString().slice(0, 10) } : (value as string | number | null),
        style: n === 0 ? CellStyle.Header : value instanceof Date ? CellStyle.TopDay : CellStyle.Top,
      })),
    );
  await sheet.flush();
  await sheet.end();
  await ended;
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.concat(bytes) as never);
  return workbook.getWorksheet("台账's")!;
}

describe('a one-sheet workbook written as its rows come', () => {
  it('holds text, numbers, days and empty cells as written, markup and all', async () => {
    const sheet = await roundTrip(4, [
      ['名称', '数量', '日期', '备注'],
      ['<村> & "组"', 12.5, new Date('2027-03-05T00:00:00Z'), null],
      ['=SUM(A1)', 0, null, '第一行\n第二行'],
    ]);
    expect(sheet.getRow(2).values).toEqual([undefined, '<村> & "组"', 12.5, new Date('2027-03-05T00:00:00Z')]);
    // Text that looks like a formula stays text.
    expect(sheet.getRow(3).getCell(1).value).toBe('=SUM(A1)');
    expect(sheet.getRow(3).getCell(3).value).toBeNull();
    expect(sheet.getRow(3).getCell(4).value).toBe('第一行\n第二行');
    expect(sheet.getRow(2).getCell(3).numFmt).toBe('yyyy-mm-dd');
    expect(sheet.getRow(1).getCell(1).font).toMatchObject({ bold: true });
    expect(sheet.autoFilter).toBe('A1:D3');
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', xSplit: 1, ySplit: 1 });
    expect(sheet.pageSetup).toMatchObject({ fitToPage: true, printTitlesRow: '1:1', orientation: 'landscape' });
    expect(sheet.getColumn(4).width).toBe(11);
  });

  it('keeps every row whole, however many and however long, in order', async () => {
    // Rows are encoded into buffers of 1 MiB: a row longer than one (beyond what Excel shows in a cell, yet never
    // cut) and hundreds of Chinese rows both cross from one buffer into the next.
    const long = `${'整改进展：逐户核查，'.repeat(40_000)}完`;
    const rows: ExcelJS.CellValue[][] = [
      ['序号', '内容'],
      ...Array.from({ length: 600 }, (_, i): ExcelJS.CellValue[] => [
        i + 1,
        `第${i + 1}户危房改造「${'户'.repeat(i % 50)}」`,
      ]),
    ];
    rows.splice(300, 0, [0, long]);
    const sheet = await roundTrip(2, rows);
    expect(sheet.rowCount).toBe(602);
    expect(sheet.getRow(301).getCell(2).value).toBe(long);
    expect(sheet.getRow(302).getCell(2).value).toBe(rows[301][1]);
    expect(sheet.getRow(602).getCell(2).value).toBe(`第600户危房改造「${'户'.repeat(599 % 50)}」`);
  });

  it('counts days as Excel does, from 30 December 1899', () => {
    expect(excelDay('1900-03-01')).toBe(61);
    expect(excelDay('2018-09-30')).toBe(43373);
    expect(excelDay('2024-02-29')).toBe(45351);
    expect(excelDay('2027-03-05')).toBe(46451);
  });

  it('names columns past Z as spreadsheets do', async () => {
    expect([0, 25, 26, 27, 51, 52, 701, 702].map(columnName)).toEqual(['A', 'Z', 'AA', 'AB', 'AZ', 'BA', 'ZZ', 'AAA']);
    const sheet = await roundTrip(28, [Array.from({ length: 28 }, (_, i) => `列${i + 1}`)]);
    expect(sheet.getCell('AB1').value).toBe('列28');
  });

  it('drops the control characters XML cannot hold (a pasted form feed)', () => {
    expect(escapeXml('甲\u0007乙\u000C丙\t丁')).toBe('甲乙丙\t丁');
  });

  it('escapes the markup characters, every one of them, and answers other text as it is', () => {
    expect(escapeXml('<b>"危房" & 旱厕</b> & <i>')).toBe(
      '&lt;b&gt;&quot;危房&quot; &amp; 旱厕&lt;/b&gt; &amp; &lt;i&gt;',
    );
    const plain = '拆除破旧房屋217户（696间）';
    expect(escapeXml(plain)).toBe(plain);
    // Twice in a row: the test that finds them keeps no place between calls.
    expect([escapeXml('a&b'), escapeXml('a&b')]).toEqual(['a&amp;b', 'a&amp;b']);
  });

  it('stops waiting when the client has gone away: an export whose download was cancelled does not hang', async () => {
    const out = new PassThrough({ highWaterMark: 1 }); // nobody reads it: the zip soon waits
    const sheet = new XlsxSheetWriter(out, layout(2));
    for (let i = 0; i < 5000; i++) sheet.row([{ value: `第${i}行`.repeat(20), style: CellStyle.Top }]);
    const flushed = sheet.flush();
    out.destroy();
    await expect(flushed).resolves.toBeUndefined();
  });
});
