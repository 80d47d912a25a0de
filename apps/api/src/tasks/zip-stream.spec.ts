import JSZip from 'jszip';
import { randomBytes } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import { ZipStream } from './zip-stream';

/** What `write` put into a ZIP, as the bytes of the archive. */
async function archive(write: (zip: ZipStream) => Promise<void> | void): Promise<Buffer> {
  const out = new PassThrough();
  const bytes: Buffer[] = [];
  out.on('data', (chunk: Buffer) => bytes.push(chunk));
  const ended = new Promise((resolve) => out.on('end', resolve));
  await write(new ZipStream(out, 2, '2027-03-08T07:30:00.000Z'));
  await ended;
  return Buffer.concat(bytes);
}

/** Writes `data` to a writable as a producer minding its pace would, `piece` bytes at a time. */
async function writeAll(writable: Writable, data: Buffer, piece: number): Promise<void> {
  for (let at = 0; at < data.length; at += piece) {
    if (!writable.write(data.subarray(at, at + piece))) await new Promise((resolve) => writable.once('drain', resolve));
  }
  writable.end();
}

describe('a ZIP archive written as it is made', () => {
  it('holds its entries, whole and streamed, checksums and sizes right, as another reader finds them', async () => {
    const big = Buffer.concat([Buffer.from('<sheetData>'.repeat(50_000)), randomBytes(300_000)]);
    const bytes = await archive(async (zip) => {
      zip.add('[Content_Types].xml', '<?xml version="1.0"?><Types/>');
      zip.add('xl/styles.xml', Buffer.from('样式'.repeat(100)));
      const { writable, finished } = zip.stream('xl/worksheets/sheet1.xml');
      await writeAll(writable, big, 70_000);
      await finished;
    });
    const read = await JSZip.loadAsync(bytes, { checkCRC32: true });
    expect(Object.keys(read.files)).toEqual(['[Content_Types].xml', 'xl/styles.xml', 'xl/worksheets/sheet1.xml']);
    expect(await read.file('[Content_Types].xml')!.async('string')).toBe('<?xml version="1.0"?><Types/>');
    expect(await read.file('xl/styles.xml')!.async('string')).toBe('样式'.repeat(100));
    expect((await read.file('xl/worksheets/sheet1.xml')!.async('nodebuffer')).equals(big)).toBe(true);
    // Dated as written, in Beijing: 15:30 on 8 March 2027.
    expect(read.file('xl/styles.xml')!.date.toISOString().slice(0, 16)).toBe('2027-03-08T15:30');
  });

  it('ends with a central directory that points at each local header, as the format lays it out', async () => {
    const bytes = await archive(async (zip) => {
      zip.add('a.xml', 'first');
      const { writable, finished } = zip.stream('b.xml');
      await writeAll(writable, Buffer.from('second'), 3);
      await finished;
    });
    const end = bytes.length - 22;
    expect(bytes.readUInt32LE(end)).toBe(0x06054b50);
    expect(bytes.readUInt16LE(end + 10)).toBe(2);
    const directory = bytes.readUInt32LE(end + 16);
    expect(directory + bytes.readUInt32LE(end + 12)).toBe(end);
    const names: string[] = [];
    for (let at = directory, i = 0; i < 2; i++) {
      expect(bytes.readUInt32LE(at)).toBe(0x02014b50);
      const nameLength = bytes.readUInt16LE(at + 28);
      const offset = bytes.readUInt32LE(at + 42);
      expect(bytes.readUInt32LE(offset)).toBe(0x04034b50);
      const data = offset + 30 + bytes.readUInt16LE(offset + 26);
      names.push(inflateRawSync(bytes.subarray(data, data + bytes.readUInt32LE(at + 20))).toString());
      at += 46 + nameLength;
    }
    expect(names).toEqual(['first', 'second']);
  });

  it('ends the archive with no streamed entry when asked', async () => {
    const bytes = await archive((zip) => {
      zip.add('only.xml', 'alone');
      zip.end();
    });
    const read = await JSZip.loadAsync(bytes, { checkCRC32: true });
    expect(await read.file('only.xml')!.async('string')).toBe('alone');
  });

  it('stops when the client has gone away, however much was still to come', async () => {
    const out = new PassThrough({ highWaterMark: 1 }); // nobody reads it: the deflating soon waits
    const zip = new ZipStream(out, 2, '2027-03-08T07:30:00.000Z');
    const { writable, finished } = zip.stream('big.xml');
    writable.write(randomBytes(2_000_000));
    out.destroy();
    await expect(finished).resolves.toBeUndefined();
  });
});
