import type { BulletinDocument } from '@zhenggai/application';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync, inflateSync } from 'node:zlib';
import * as fontkit from 'fontkit';
import mammoth from 'mammoth';
import { sampleBulletin } from '../testing/sample-bulletin';
import { BulletinFiles } from './bulletin-files';

// Real files read by real tools (poppler-utils), with a font of 14.8 MB a face: generous on a loaded machine.
jest.setTimeout(60_000);

const bulletin: BulletinDocument = sampleBulletin();
const [ranking, chart, overdue] = bulletin.sections as [
  Extract<BulletinDocument['sections'][number], { kind: 'table' }>,
  Extract<BulletinDocument['sections'][number], { kind: 'bars' }>,
  Extract<BulletinDocument['sections'][number], { kind: 'table' }>,
];
const first = ranking.rows[0].cells;
const last = ranking.rows[ranking.rows.length - 1].cells;
/** What a reader checks in either file: every figure and name the bulletin prints, in print. */
const printed = [
  bulletin.issuer,
  bulletin.docNumber,
  bulletin.title,
  bulletin.addressee,
  ...bulletin.headline.flatMap((figure) => [figure.label, figure.value]),
  '一、各单位整改进度排名',
  ...ranking.columns,
  ...first,
  ...last,
  '二、各类问题办结率',
  ...chart.bars.flatMap((bar) => [bar.label, bar.text]),
  overdue.empty,
  bulletin.signature.dateText,
];

let dir: string;
let pdf: Buffer;
let docx: Buffer;

beforeAll(async () => {
  for (const tool of ['pdftotext', 'pdfinfo', 'pdffonts', 'pdftoppm']) {
    try {
      execFileSync(tool, ['-v'], { stdio: 'ignore' });
    } catch {
      throw new Error(
        `${tool} is missing: these tests read the PDF with poppler-utils (apt-get install poppler-utils)`,
      );
    }
  }
  dir = mkdtempSync(join(tmpdir(), 'bulletin-'));
  const files = new BulletinFiles();
  [pdf, docx] = await Promise.all([files.pdf(bulletin), files.docx(bulletin)]);
  writeFileSync(join(dir, 'bulletin.pdf'), pdf);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const poppler = (tool: string, ...args: string[]) => execFileSync(tool, [...args], { encoding: 'utf8' });
const pdfText = (...args: string[]) => poppler('pdftotext', '-layout', ...args, join(dir, 'bulletin.pdf'), '-');
const squeezed = (text: string) => text.replace(/\s+/g, '');

describe('情况通报 as a PDF', () => {
  it('prints the title, 文号, every headline figure, the first and last rows, the bars, the empty list, the date', () => {
    const text = squeezed(pdfText());
    for (const expected of printed) expect(text).toContain(squeezed(expected));
  });

  it('is A4 over more than one page, the ranking header repeated on the next page, each page numbered — n —', () => {
    const info = poppler('pdfinfo', join(dir, 'bulletin.pdf'));
    const [, width, height] = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(info)!;
    expect([Math.round(Number(width)), Math.round(Number(height))]).toEqual([595, 842]);
    const pages = Number(/Pages:\s+(\d+)/.exec(info)![1]);
    expect(pages).toBeGreaterThanOrEqual(2);
    const second = squeezed(pdfText('-f', '2', '-l', '2'));
    expect(second).toContain(squeezed(ranking.columns.join('')));
    for (let n = 1; n <= pages; n++) expect(squeezed(pdfText('-f', `${n}`, '-l', `${n}`))).toContain(`—${n}—`);
  });

  it('embeds Noto Serif SC', () => {
    const fonts = poppler('pdffonts', join(dir, 'bulletin.pdf'))
      .split('\n')
      .filter((line) => line.includes('NotoSerif'));
    expect(fonts.length).toBeGreaterThan(0);
    // name, type (two words: CID TrueType), encoding, then emb
    for (const line of fonts) expect(line.split(/\s+/)[4]).toBe('yes');
  });

  it('shows the issuer and the rule in red at the top of the first page, and no red at its foot', () => {
    execFileSync('pdftoppm', [
      '-r',
      '50',
      '-png',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      join(dir, 'bulletin.pdf'),
      join(dir, 'page'),
    ]);
    const image = decodePng(readFileSync(join(dir, 'page.png')));
    const red = (fromRow: number, toRow: number) => {
      let count = 0;
      for (let y = fromRow; y < toRow; y++)
        for (let x = 0; x < image.width; x++) {
          const [r, g, b] = image.pixel(x, y);
          if (r > 150 && g < 90 && b < 90) count++;
        }
      return count;
    };
    expect(red(0, Math.round(image.height * 0.25))).toBeGreaterThan(200);
    expect(red(Math.round(image.height * 0.9), image.height)).toBe(0);
  });
});

describe('情况通报 as a DOCX', () => {
  it('says what the PDF says: title, 文号, headline figures, rows, bars, the empty list, the date', async () => {
    const text = squeezed((await mammoth.extractRawText({ buffer: docx })).value);
    for (const expected of printed) expect(text).toContain(squeezed(expected));
  });

  it('embeds a subset of Noto Serif SC with every character it prints, the default font, and stays small', async () => {
    const files = unzip(docx);
    const fonts = [...files.keys()].filter((path) => path.startsWith('word/fonts/'));
    expect(fonts).toHaveLength(2);
    expect(docx.length).toBeLessThan(2_000_000);
    const table = files.get('word/fontTable.xml')!.toString('utf8');
    const keys = [...table.matchAll(/w:fontKey="\{([0-9A-F-]+)\}"/g)].map((match) => match[1]);
    const text = (await mammoth.extractRawText({ buffer: docx })).value.replace(/\s/g, '');
    fonts.forEach((path, i) => {
      const file = files.get(path)!;
      expect(file.length).toBeLessThan(2_000_000);
      const font = fontkit.create(deobfuscate(file, keys[i])) as fontkit.Font;
      expect(font.familyName).toBe('Noto Serif SC');
      const missing = [...new Set(text)].filter((char) => font.glyphForCodePoint(char.codePointAt(0)!).id === 0);
      expect(missing).toEqual([]);
    });
    const styles = files.get('word/styles.xml')!.toString('utf8');
    expect(styles).toMatch(/<w:rFonts[^>]*w:ascii="Noto Serif SC"[^>]*w:eastAsia="Noto Serif SC"/);
  });

  it('repeats the header row of a long table on every page and sets the page A4 with — n — in the footer', () => {
    const files = unzip(docx);
    const document = files.get('word/document.xml')!.toString('utf8');
    expect(document).toContain('<w:tblHeader/>');
    expect(document).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    const footer = files.get('word/footer1.xml')!.toString('utf8');
    expect(footer).toMatch(/— <\/w:t>.*PAGE.*<w:t xml:space="preserve"> —/s);
  });
});

describe('the two files', () => {
  it('carry the same figures', async () => {
    const figures = (text: string) => (text.match(/\d+(\.\d+)?/g) ?? []).sort();
    const pageNumbers = /^\s*—\s*\d+\s*—\s*$/gm;
    const inPdf = figures(pdfText().replace(pageNumbers, ''));
    const inDocx = figures((await mammoth.extractRawText({ buffer: docx })).value);
    expect(inPdf.length).toBeGreaterThan(200);
    expect(inDocx).toEqual(inPdf);
  });
});

/** The files of a zip (stored or deflated), read from its central directory. */
function unzip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let entry = zip.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(entry + 10);
    const size = zip.readUInt32LE(entry + 20);
    const nameLength = zip.readUInt16LE(entry + 28);
    const extra = zip.readUInt16LE(entry + 30) + zip.readUInt16LE(entry + 32);
    const name = zip.toString('utf8', entry + 46, entry + 46 + nameLength);
    const local = zip.readUInt32LE(entry + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    files.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    entry += 46 + nameLength + extra;
  }
  return files;
}

/** An embedded font as it was: its first 32 bytes XORed with the key's bytes in reverse (ECMA-376 Part 2, 8.1.4). */
function deobfuscate(file: Buffer, key: string): Buffer {
  const bytes = (key.replace(/-/g, '').match(/../g) ?? []).map((hex) => parseInt(hex, 16)).reverse();
  const font = Buffer.from(file);
  for (let i = 0; i < 32; i++) font[i] ^= bytes[i % 16];
  return font;
}

/** An 8-bit RGB or RGBA, non-interlaced PNG (what pdftoppm writes), decoded enough to read its pixels. */
function decodePng(png: Buffer): { width: number; height: number; pixel(x: number, y: number): number[] } {
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const channels = { 2: 3, 6: 4 }[png[25] as 2 | 6];
  if (png[24] !== 8 || !channels || png[28] !== 0) throw new Error('not an 8-bit RGB(A) non-interlaced PNG');
  const chunks: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') chunks.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(chunks));
  const stride = width * channels;
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? pixels[y * stride + x - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      const paeth = () => {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      };
      const predictor = [0, a, b, (a + b) >> 1, paeth()][filter];
      pixels[y * stride + x] = (value + predictor) & 0xff;
    }
  }
  return {
    width,
    height,
    pixel: (x, y) => [...pixels.subarray(y * stride + x * channels, y * stride + x * channels + 3)],
  };
}
