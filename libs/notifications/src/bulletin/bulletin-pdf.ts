import type { BulletinBars, BulletinDocument, BulletinTable } from '@zhenggai/application';
import PDFDocument from 'pdfkit';
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

const left = page.margin.left;
const bottom = page.height - page.margin.bottom;
/** Between lines of body text: about 28 pt from line to line at 16 pt, the 22 lines of a GB/T 9704 page. */
const lineGap = 5;
const cellPadding = { x: 4, y: 3 };

/** The bulletin as a PDF: Noto Serif SC embedded (pdfkit subsets it), A4, page numbers — 1 — at the foot. */
export function bulletinPdf(bulletin: BulletinDocument, fonts: BulletinFonts): Promise<Buffer> {
  const date = signatureDate(bulletin.signature.dateText) ?? new Date(0);
  const pdf = new PDFDocument({
    size: 'A4',
    margins: page.margin,
    bufferPages: true,
    font: '',
    lang: 'zh-CN',
    displayTitle: true,
    info: {
      Title: bulletin.title,
      Author: bulletin.issuer,
      Creator: bulletin.issuer,
      Producer: '整改',
      CreationDate: date,
      ModDate: date,
    },
  });
  const chunks: Buffer[] = [];
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  pdf.registerFont('regular', fonts.regular.file);
  pdf.registerFont('bold', fonts.bold.file);
  new PdfLayout(pdf).bulletin(bulletin);
  pdf.end();
  return done;
}

class PdfLayout {
  constructor(private readonly pdf: PDFKit.PDFDocument) {}

  bulletin(bulletin: BulletinDocument): void {
    this.masthead(bulletin);
    this.text(bulletin.title, { font: 'bold', size: size.title, align: 'center', before: 18 });
    this.text(bulletin.addressee, { before: 16 });
    for (const paragraph of bulletin.intro) this.paragraph(paragraph);
    this.headline(bulletin.headline);
    bulletin.sections.forEach((section, index) => {
      this.heading(`${sectionNumber(index)}${section.heading}`, section.kind === 'paragraphs' ? 40 : 80);
      switch (section.kind) {
        case 'table':
          this.table(section);
          break;
        case 'bars':
          this.bars(section);
          break;
        case 'paragraphs':
          for (const paragraph of section.paragraphs) this.paragraph(paragraph);
          break;
        default:
          section satisfies never;
      }
    });
    // The signature and the footnote stay together: a notice never ends on a page with the footnote alone.
    this.pdf.font('regular').fontSize(size.footnote);
    const footnote = this.pdf.heightOfString(bulletin.footnote, { width: textWidth, lineGap: 2 });
    this.keepTogether(size.body * 2 + (this.pdf.fontSize(size.body).currentLineHeight() + lineGap) * 2 + 20 + footnote);
    const signature = { align: 'right' as const, right: size.body * 2 };
    this.text(bulletin.signature.issuer, { ...signature, before: size.body * 2 });
    this.text(bulletin.signature.dateText, signature);
    this.text(bulletin.footnote, { size: size.footnote, before: 20, gap: 2 });
    this.pageNumbers();
  }

  private masthead(bulletin: BulletinDocument): void {
    const pdf = this.pdf;
    pdf.font('bold');
    const issuerSize = Math.min(
      size.issuer,
      (size.issuer * textWidth) / pdf.fontSize(size.issuer).widthOfString(bulletin.issuer),
    );
    this.text(bulletin.issuer, { font: 'bold', size: issuerSize, align: 'center', colour: colour.red, gap: 0 });
    this.text(bulletin.docNumber, { size: size.docNumber, align: 'center', before: 10 });
    const y = pdf.y + 8;
    pdf
      .moveTo(left, y)
      .lineTo(left + textWidth, y)
      .lineWidth(1.5)
      .strokeColor(`#${colour.red}`)
      .stroke();
    pdf.y = y + 10;
  }

  private headline(figures: BulletinDocument['headline']): void {
    if (figures.length === 0) return;
    this.pdf.y += 10;
    for (const row of headlineRows(figures)) {
      const rows = [{ cells: row.map((figure) => figure.value) }];
      this.grid(
        row.map((figure) => figure.label),
        row.map(() => 1),
        rows,
        { valueFont: 'bold', valueSize: 14 },
      );
    }
  }

  private heading(text: string, keepWithNext: number): void {
    this.keepTogether(keepWithNext);
    this.text(text, { font: 'bold', size: size.heading, before: 10 });
  }

  private table(section: BulletinTable): void {
    if (section.rows.length === 0) this.paragraph(section.empty);
    else this.grid(section.columns, section.widths, section.rows, {});
    if (section.note) this.text(section.note, { size: size.note, before: 4 });
  }

  /** A bordered table, header shaded; a row that would cross the foot goes to a new page under a repeated header. */
  private grid(
    columns: readonly string[],
    widths: readonly number[],
    rows: BulletinTable['rows'],
    style: { valueFont?: 'bold'; valueSize?: number },
  ): void {
    const pdf = this.pdf;
    const total = widths.reduce((sum, width) => sum + width, 0);
    const columnWidths = widths.map((width) => (width / total) * textWidth);
    const header = () => this.row(columns, columnWidths, { font: 'bold', size: size.table, fill: colour.shade });
    this.keepTogether(this.rowHeight(columns, columnWidths, 'bold', size.table) * 2 + 10);
    header();
    for (const row of rows) {
      const font = style.valueFont ?? 'regular';
      const fontSize = style.valueSize ?? size.table;
      if (pdf.y + this.rowHeight(row.cells, columnWidths, font, fontSize) > bottom) {
        pdf.addPage();
        header();
      }
      this.row(row.cells, columnWidths, { font, size: fontSize, colour: row.emphasis ? colour.red : undefined });
    }
    pdf.y += 6;
  }

  private rowHeight(cells: readonly string[], widths: readonly number[], font: string, fontSize: number): number {
    this.pdf.font(font).fontSize(fontSize);
    const heights = cells.map((cell, i) => this.pdf.heightOfString(cell, { width: widths[i] - cellPadding.x * 2 }));
    return Math.max(...heights, this.pdf.currentLineHeight()) + cellPadding.y * 2;
  }

  private row(
    cells: readonly string[],
    widths: readonly number[],
    style: { font: string; size: number; fill?: string; colour?: string },
  ): void {
    const pdf = this.pdf;
    const top = pdf.y;
    const height = this.rowHeight(cells, widths, style.font, style.size);
    let x = left;
    cells.forEach((cell, i) => {
      if (style.fill) pdf.rect(x, top, widths[i], height).fill(`#${style.fill}`);
      pdf.rect(x, top, widths[i], height).lineWidth(0.5).strokeColor(`#${colour.rule}`).stroke();
      const textHeight = pdf.heightOfString(cell, { width: widths[i] - cellPadding.x * 2 });
      pdf.fillColor(`#${style.colour ?? '000000'}`).text(cell, x + cellPadding.x, top + (height - textHeight) / 2, {
        width: widths[i] - cellPadding.x * 2,
        align: 'center',
      });
      x += widths[i];
    });
    pdf.fillColor('#000000');
    pdf.x = left;
    pdf.y = top + height;
  }

  /** One bar a line: the label, the bar (value / max of the width between), the figure as printed. */
  private bars(section: BulletinBars): void {
    const pdf = this.pdf;
    if (section.bars.length === 0) this.paragraph(section.empty);
    const labelWidth = textWidth * 0.28;
    const figureWidth = textWidth * 0.2;
    const barLeft = left + labelWidth + 6;
    const barWidth = textWidth - labelWidth - figureWidth - 12;
    pdf.y += 4;
    for (const bar of section.bars) {
      pdf.font('regular').fontSize(size.table);
      const height =
        Math.max(
          pdf.heightOfString(bar.label, { width: labelWidth }),
          pdf.heightOfString(bar.text, { width: figureWidth }),
          12,
        ) + 6;
      if (pdf.y + height > bottom) pdf.addPage();
      const top = pdf.y;
      const ink = `#${bar.emphasis ? colour.red : '000000'}`;
      pdf.fillColor(ink).text(bar.label, left, top + 3, { width: labelWidth });
      const length = section.max > 0 ? Math.max(0, Math.min(1, bar.value / section.max)) * barWidth : 0;
      if (length > 0)
        pdf.rect(barLeft, top + (height - 10) / 2, length, 10).fill(`#${bar.emphasis ? colour.red : colour.bar}`);
      pdf
        .moveTo(barLeft, top)
        .lineTo(barLeft, top + height)
        .lineWidth(0.5)
        .strokeColor('#808080')
        .stroke();
      pdf.fillColor(ink).text(bar.text, left + textWidth - figureWidth, top + 3, { width: figureWidth });
      pdf.fillColor('#000000');
      pdf.y = top + height;
    }
    pdf.x = left;
    pdf.y += 4;
    if (section.note) this.text(section.note, { size: size.note, before: 2 });
  }

  private paragraph(text: string): void {
    this.text(text, { indent: size.body * 2 });
  }

  private text(
    text: string,
    options: {
      font?: 'regular' | 'bold';
      size?: number;
      align?: 'left' | 'center' | 'right';
      colour?: string;
      indent?: number;
      before?: number;
      gap?: number;
      right?: number;
    },
  ): void {
    const pdf = this.pdf;
    pdf.y += options.before ?? 0;
    pdf
      .font(options.font ?? 'regular')
      .fontSize(options.size ?? size.body)
      .fillColor(`#${options.colour ?? '000000'}`)
      .text(text, left, pdf.y, {
        width: textWidth - (options.right ?? 0),
        align: options.align ?? 'left',
        indent: options.indent ?? 0,
        lineGap: options.gap ?? lineGap,
      });
    pdf.fillColor('#000000');
  }

  /** A new page unless `height` points are left on this one: no heading alone at the foot of a page. */
  private keepTogether(height: number): void {
    if (this.pdf.y + height > bottom) this.pdf.addPage();
  }

  private pageNumbers(): void {
    const pdf = this.pdf;
    const { start, count } = pdf.bufferedPageRange();
    for (let i = start; i < start + count; i++) {
      pdf.switchToPage(i);
      // Below the bottom margin: without lifting it, pdfkit would move the text onto a new page.
      pdf.page.margins.bottom = 0;
      pdf
        .font('regular')
        .fontSize(size.pageNumber)
        .text(pageNumberText(i + 1), left, bottom + (page.margin.bottom - size.pageNumber) / 2 - 10, {
          width: textWidth,
          align: 'center',
          lineBreak: false,
        });
    }
  }
}
