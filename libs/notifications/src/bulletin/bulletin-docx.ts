import type { BulletinBars, BulletinDocument, BulletinTable } from '@zhenggai/application';
import {
  AlignmentType,
  BorderStyle,
  CharacterSet,
  Document,
  Footer,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  ShadingType,
  Table,
  TableBorders,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlignTable,
  WidthType,
} from 'docx';
import type { BulletinFonts } from './bulletin-fonts';
import {
  colour,
  headlineRows,
  page,
  pageNumberText,
  sectionNumber,
  signatureDate,
  size,
  textWidth,
} from './bulletin-layout';
import { subsetFont } from './font-subset';

/** Word measures in twentieths of a point (twips) and sizes text in half points. */
const twips = (points: number) => Math.round(points * 20);
const halfPoints = (points: number) => Math.round(points * 2);
const width = twips(textWidth);
/** The bar charts' middle column is this many grid columns: a bar is as long as a whole number of them. */
const barSteps = 50;

/**
 * The bulletin as a DOCX the office edits: the same layout as the PDF, Noto Serif SC the default font (East Asian
 * and Latin), embedded as a subset of the characters the bulletin uses, so the file stays small (the full face is
 * 14.8 MB): characters typed in later that the subset lacks fall back to another font.
 */
export async function bulletinDocx(bulletin: BulletinDocument, fonts: BulletinFonts): Promise<Buffer> {
  const text = `${bulletinText(bulletin)}${pageNumberText('0123456789')}`;
  const document = new Document({
    title: bulletin.title,
    creator: bulletin.issuer,
    fonts: [
      {
        name: fonts.family,
        data: subsetFont(fonts.regular.font, fonts.regular.file, text),
        bold: subsetFont(fonts.bold.font, fonts.bold.file, text),
        characterSet: CharacterSet.GB_2312,
      },
    ],
    styles: {
      default: {
        document: {
          run: {
            font: { ascii: fonts.family, eastAsia: fonts.family, hAnsi: fonts.family, cs: fonts.family },
            size: halfPoints(size.body),
          },
        },
      },
    },
    sections: [
      {
        properties: {
          page: {
            size: { width: twips(page.width), height: twips(page.height) },
            margin: {
              top: twips(page.margin.top),
              bottom: twips(page.margin.bottom),
              left: twips(page.margin.left),
              right: twips(page.margin.right),
              footer: twips(page.margin.bottom / 2),
            },
          },
        },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [
                  new TextRun({
                    children: ['— ', PageNumber.CURRENT, ' —'],
                    size: halfPoints(size.pageNumber),
                  }),
                ],
              }),
            ],
          }),
        },
        children: body(bulletin, fonts),
      },
    ],
  });
  // docx stamps the core properties with the clock; the bulletin's own date (the signature's) is stamped instead.
  return Packer.toBuffer(document, false, [{ path: 'docProps/core.xml', data: coreProperties(bulletin) }]);
}

function coreProperties(bulletin: BulletinDocument): string {
  const date = signatureDate(bulletin.signature.dateText)?.toISOString().replace('.000Z', 'Z');
  const stamp = (name: string) => (date ? `<dcterms:${name} xsi:type="dcterms:W3CDTF">${date}</dcterms:${name}>` : '');
  return [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"',
    ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"',
    ' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    `<dc:title>${escapeXml(bulletin.title)}</dc:title><dc:creator>${escapeXml(bulletin.issuer)}</dc:creator>`,
    `<cp:revision>1</cp:revision>${stamp('created')}${stamp('modified')}</cp:coreProperties>`,
  ].join('');
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Every character the bulletin prints, for the font subset. */
function bulletinText(bulletin: BulletinDocument): string {
  const sections = bulletin.sections.flatMap((section, index) => {
    const heading = `${sectionNumber(index)}${section.heading}`;
    switch (section.kind) {
      case 'table':
        return [
          heading,
          ...section.columns,
          ...section.rows.flatMap((row) => row.cells),
          section.empty,
          section.note ?? '',
        ];
      case 'bars':
        return [heading, ...section.bars.flatMap((bar) => [bar.label, bar.text]), section.empty, section.note ?? ''];
      case 'paragraphs':
        return [heading, ...section.paragraphs];
    }
  });
  return [
    bulletin.issuer,
    bulletin.docNumber,
    bulletin.title,
    bulletin.addressee,
    ...bulletin.intro,
    ...bulletin.headline.flatMap((figure) => [figure.label, figure.value]),
    ...sections,
    bulletin.signature.issuer,
    bulletin.signature.dateText,
    bulletin.footnote,
  ].join('');
}

function body(bulletin: BulletinDocument, fonts: BulletinFonts): Array<Paragraph | Table> {
  const boldFace = fonts.bold.font;
  const issuerWidth = (boldFace.layout(bulletin.issuer).advanceWidth / boldFace.unitsPerEm) * size.issuer;
  const issuerSize = Math.min(size.issuer, Math.floor((size.issuer * textWidth * 0.98) / issuerWidth));
  return [
    new Paragraph({
      alignment: AlignmentType.CENTER,
      children: [new TextRun({ text: bulletin.issuer, bold: true, color: colour.red, size: halfPoints(issuerSize) })],
    }),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { before: twips(10), after: twips(8) },
      border: { bottom: { style: BorderStyle.SINGLE, size: 12, color: colour.red, space: 8 } },
      children: [new TextRun({ text: bulletin.docNumber, size: halfPoints(size.docNumber) })],
    }),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { before: twips(24), after: twips(12) },
      children: [new TextRun({ text: bulletin.title, bold: true, size: halfPoints(size.title) })],
    }),
    bodyParagraph(bulletin.addressee, { indent: false }),
    ...bulletin.intro.map((paragraph) => bodyParagraph(paragraph)),
    ...headline(bulletin.headline),
    ...bulletin.sections.flatMap((section, index) => {
      const heading = new Paragraph({
        keepNext: true,
        spacing: { before: twips(10), line: twips(28), lineRule: LineRuleType.AT_LEAST },
        children: [
          new TextRun({
            text: `${sectionNumber(index)}${section.heading}`,
            bold: true,
            size: halfPoints(size.heading),
          }),
        ],
      });
      switch (section.kind) {
        case 'table':
          return [heading, ...table(section)];
        case 'bars':
          return [heading, ...bars(section)];
        case 'paragraphs':
          return [heading, ...section.paragraphs.map((paragraph) => bodyParagraph(paragraph))];
      }
    }),
    new Paragraph({
      alignment: AlignmentType.RIGHT,
      indent: { right: twips(size.body * 2) },
      keepNext: true,
      spacing: { before: twips(size.body * 2) },
      children: [new TextRun(bulletin.signature.issuer)],
    }),
    new Paragraph({
      alignment: AlignmentType.RIGHT,
      indent: { right: twips(size.body * 2) },
      keepNext: true,
      children: [new TextRun(bulletin.signature.dateText)],
    }),
    new Paragraph({
      spacing: { before: twips(20) },
      children: [new TextRun({ text: bulletin.footnote, size: halfPoints(size.footnote) })],
    }),
  ];
}

/** Body text: 16 pt on a 28 pt line, the first line indented by two characters. */
function bodyParagraph(text: string, { indent = true } = {}): Paragraph {
  return new Paragraph({
    indent: indent ? { firstLine: twips(size.body * 2) } : undefined,
    spacing: { line: twips(28), lineRule: LineRuleType.AT_LEAST },
    children: [new TextRun(text)],
  });
}

function smallParagraph(text: string): Paragraph {
  return new Paragraph({
    spacing: { before: twips(4) },
    children: [new TextRun({ text, size: halfPoints(size.note) })],
  });
}

function headline(figures: BulletinDocument['headline']): Array<Paragraph | Table> {
  return headlineRows(figures).flatMap((row) => [
    grid(
      row.map((figure) => figure.label),
      row.map(() => 1),
      [{ cells: row.map((figure) => figure.value) }],
      { bold: true, size: 14 },
    ),
    new Paragraph({ spacing: { after: 0, line: twips(8), lineRule: LineRuleType.EXACT }, children: [] }),
  ]);
}

function table(section: BulletinTable): Array<Paragraph | Table> {
  return [
    section.rows.length === 0 ? bodyParagraph(section.empty) : grid(section.columns, section.widths, section.rows, {}),
    ...(section.note ? [smallParagraph(section.note)] : []),
  ];
}

/** A bordered table at the text's width: the header row shaded and repeated on each page, rows never split. */
function grid(
  columns: readonly string[],
  widths: readonly number[],
  rows: BulletinTable['rows'],
  style: { bold?: boolean; size?: number },
): Table {
  const total = widths.reduce((sum, each) => sum + each, 0);
  const columnWidths = widths.map((each) => Math.round((each / total) * width));
  const cell = (text: string, i: number, run: { bold?: boolean; size: number; color?: string }, fill?: string) =>
    new TableCell({
      width: { size: columnWidths[i], type: WidthType.DXA },
      verticalAlign: VerticalAlignTable.CENTER,
      margins: { top: twips(3), bottom: twips(3), left: twips(4), right: twips(4) },
      shading: fill ? { type: ShadingType.CLEAR, color: 'auto', fill } : undefined,
      children: [
        new Paragraph({
          alignment: AlignmentType.CENTER,
          children: [new TextRun({ text, size: halfPoints(run.size), bold: run.bold, color: run.color })],
        }),
      ],
    });
  return new Table({
    width: { size: width, type: WidthType.DXA },
    columnWidths,
    layout: TableLayoutType.FIXED,
    rows: [
      new TableRow({
        tableHeader: true,
        cantSplit: true,
        children: columns.map((column, i) => cell(column, i, { bold: true, size: size.table }, colour.shade)),
      }),
      ...rows.map(
        (row) =>
          new TableRow({
            cantSplit: true,
            children: row.cells.map((text, i) =>
              cell(text, i, {
                bold: style.bold,
                size: style.size ?? size.table,
                color: row.emphasis ? colour.red : undefined,
              }),
            ),
          }),
      ),
    ],
  });
}

/**
 * A bar chart as a borderless table: the label, then the bar as shaded grid columns (value / max of `barSteps`),
 * the rest of the row blank, then the figure; white borders between rows keep the bars apart.
 */
function bars(section: BulletinBars): Array<Paragraph | Table> {
  if (section.bars.length === 0)
    return [bodyParagraph(section.empty), ...(section.note ? [smallParagraph(section.note)] : [])];
  const step = Math.floor((width * 0.52) / barSteps);
  const figureWidth = Math.round(width * 0.2);
  const labelWidth = width - step * barSteps - figureWidth;
  const gap = { style: BorderStyle.SINGLE, size: 24, color: 'FFFFFF' } as const;
  const text = (value: string, emphasis: boolean | undefined, cellWidth: number, span = 1, fill?: string) =>
    new TableCell({
      width: { size: cellWidth, type: WidthType.DXA },
      columnSpan: span,
      verticalAlign: VerticalAlignTable.CENTER,
      borders: {
        top: gap,
        bottom: gap,
        left: { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' },
        right: { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' },
      },
      margins: { left: twips(4), right: twips(4) },
      shading: fill ? { type: ShadingType.CLEAR, color: 'auto', fill } : undefined,
      children: [
        new Paragraph({
          children: [
            new TextRun({ text: value, size: halfPoints(size.table), color: emphasis ? colour.red : undefined }),
          ],
        }),
      ],
    });
  const table = new Table({
    width: { size: width, type: WidthType.DXA },
    columnWidths: [labelWidth, ...Array.from({ length: barSteps }, () => step), figureWidth],
    layout: TableLayoutType.FIXED,
    borders: TableBorders.NONE,
    rows: section.bars.map((bar) => {
      const filled = section.max > 0 ? Math.round(Math.max(0, Math.min(1, bar.value / section.max)) * barSteps) : 0;
      return new TableRow({
        cantSplit: true,
        children: [
          text(bar.label, bar.emphasis, labelWidth),
          ...(filled > 0 ? [text('', false, step * filled, filled, bar.emphasis ? colour.red : colour.bar)] : []),
          ...(filled < barSteps ? [text('', false, step * (barSteps - filled), barSteps - filled)] : []),
          text(bar.text, bar.emphasis, figureWidth),
        ],
      });
    }),
  });
  return [table, ...(section.note ? [smallParagraph(section.note)] : [])];
}
