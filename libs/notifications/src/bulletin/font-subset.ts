import type { Font, Glyph } from 'fontkit';

/** fontkit's subset as it is: includeGlyph returns the glyph's id in the subset (@types/fontkit says boolean). */
interface GlyphSubset {
  includeGlyph(glyph: Glyph): number;
  encode(): Uint8Array;
}

/**
 * A TrueType font holding only the glyphs of `text` (and printable ASCII, so a figure typed in later still shows),
 * usable on its own, as a DOCX embeds it. fontkit's subsets are made for PDF, which maps characters itself: they
 * lack cmap, name, OS/2 and post, so these are added here (cmap rebuilt for the new glyph ids, the others copied).
 */
export function subsetFont(font: Font, file: Buffer, text: string): Buffer {
  const subset = font.createSubset() as unknown as GlyphSubset;
  const codes = new Map<number, number>();
  const wanted = new Set<number>();
  for (let code = 0x20; code <= 0x7e; code++) wanted.add(code);
  for (const char of text) wanted.add(char.codePointAt(0)!);
  for (const code of [...wanted].sort((a, b) => a - b)) {
    const glyph = font.glyphForCodePoint(code);
    if (glyph.id !== 0) codes.set(code, subset.includeGlyph(glyph));
  }
  const tables = readTables(Buffer.from(subset.encode()));
  const source = readTables(file);
  for (const tag of ['name', 'OS/2']) tables.set(tag, source.get(tag)!);
  tables.set('post', postVersion3(source.get('post')!));
  tables.set('cmap', cmap(codes));
  return writeFont(tables);
}

function readTables(file: Buffer): Map<string, Buffer> {
  const tables = new Map<string, Buffer>();
  const count = file.readUInt16BE(4);
  for (let i = 0; i < count; i++) {
    const record = 12 + i * 16;
    const offset = file.readUInt32BE(record + 8);
    tables.set(
      file.toString('latin1', record, record + 4),
      file.subarray(offset, offset + file.readUInt32BE(record + 12)),
    );
  }
  return tables;
}

/** post 3.0: the metrics of the original without glyph names, which the new glyph ids would not match. */
function postVersion3(post: Buffer): Buffer {
  const header = Buffer.from(post.subarray(0, 32));
  header.writeUInt32BE(0x00030000, 0);
  return header;
}

/** A Windows Unicode cmap: format 4 (one segment per character) for the BMP, format 12 when beyond it. */
function cmap(codes: ReadonlyMap<number, number>): Buffer {
  const bmp = [...codes].filter(([code]) => code <= 0xffff);
  const segments = [...bmp, [0xffff, 0] as [number, number]];
  const segCount = segments.length;
  const format4 = Buffer.alloc(16 + segCount * 8);
  format4.writeUInt16BE(4, 0);
  format4.writeUInt16BE(format4.length, 2);
  format4.writeUInt16BE(segCount * 2, 6);
  const searchRange = 2 * 2 ** Math.floor(Math.log2(segCount));
  format4.writeUInt16BE(searchRange, 8);
  format4.writeUInt16BE(Math.log2(searchRange / 2), 10);
  format4.writeUInt16BE(segCount * 2 - searchRange, 12);
  segments.forEach(([code, glyph], i) => {
    format4.writeUInt16BE(code, 14 + i * 2);
    format4.writeUInt16BE(code, 16 + segCount * 2 + i * 2);
    format4.writeUInt16BE(code === 0xffff ? 1 : (glyph - code + 0x10000) % 0x10000, 16 + segCount * 4 + i * 2);
  });
  const subtables: Array<[number, Buffer]> = [[1, format4]];
  const astral = [...codes].filter(([code]) => code > 0xffff);
  if (astral.length > 0) {
    const all = [...codes];
    const format12 = Buffer.alloc(16 + all.length * 12);
    format12.writeUInt16BE(12, 0);
    format12.writeUInt32BE(format12.length, 4);
    format12.writeUInt32BE(all.length, 12);
    all.forEach(([code, glyph], i) => {
      format12.writeUInt32BE(code, 16 + i * 12);
      format12.writeUInt32BE(code, 20 + i * 12);
      format12.writeUInt32BE(glyph, 24 + i * 12);
    });
    subtables.push([10, format12]);
  }
  const header = Buffer.alloc(4 + subtables.length * 8);
  header.writeUInt16BE(subtables.length, 2);
  let offset = header.length;
  subtables.forEach(([encoding, table], i) => {
    header.writeUInt16BE(3, 4 + i * 8);
    header.writeUInt16BE(encoding, 6 + i * 8);
    header.writeUInt32BE(offset, 8 + i * 8);
    offset += table.length;
  });
  return Buffer.concat([header, ...subtables.map(([, table]) => table)]);
}

/** An sfnt from its tables: sorted directory, 4-byte aligned tables, checksums and head's checkSumAdjustment. */
function writeFont(tables: ReadonlyMap<string, Buffer>): Buffer {
  const tags = [...tables.keys()].sort();
  const count = tags.length;
  const directory = Buffer.alloc(12 + count * 16);
  directory.writeUInt32BE(0x00010000, 0);
  directory.writeUInt16BE(count, 4);
  const searchRange = 16 * 2 ** Math.floor(Math.log2(count));
  directory.writeUInt16BE(searchRange, 6);
  directory.writeUInt16BE(Math.log2(searchRange / 16), 8);
  directory.writeUInt16BE(count * 16 - searchRange, 10);
  const bodies: Buffer[] = [];
  let offset = directory.length;
  let headOffset = 0;
  tags.forEach((tag, i) => {
    const table = Buffer.from(tables.get(tag)!);
    if (tag === 'head') {
      table.writeUInt32BE(0, 8);
      headOffset = offset;
    }
    const padded = Buffer.concat([table, Buffer.alloc((4 - (table.length % 4)) % 4)]);
    directory.write(tag.padEnd(4), 12 + i * 16, 'latin1');
    directory.writeUInt32BE(checksum(padded), 16 + i * 16);
    directory.writeUInt32BE(offset, 20 + i * 16);
    directory.writeUInt32BE(table.length, 24 + i * 16);
    bodies.push(padded);
    offset += padded.length;
  });
  const font = Buffer.concat([directory, ...bodies]);
  font.writeUInt32BE((0xb1b0afba - checksum(font) + 0x100000000) % 0x100000000, headOffset + 8);
  return font;
}

function checksum(data: Buffer): number {
  let sum = 0;
  for (let i = 0; i < data.length; i += 4) sum = (sum + data.readUInt32BE(i)) % 0x100000000;
  return sum;
}
