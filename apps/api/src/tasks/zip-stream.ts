import { Writable } from 'node:stream';
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';

/** The compression method "deflate" (8). */
const DEFLATED = 8;

/** An entry of the archive, as its local header and the central directory name it. */
interface Entry {
  readonly name: Buffer;
  crc: number;
  /** Its bytes deflated, and as they were. */
  packed: number;
  size: number;
  /** Where its local header starts. */
  readonly offset: number;
}

/**
 * A ZIP archive written to a stream as it is made (what an XLSX is): small entries whole, then one entry streamed,
 * deflated by zlib off the event loop, its checksum taken by zlib (native) as its bytes pass. It replaces archiver for
 * the 整改台账, whose stream layers and checksum in JavaScript were a tenth of the main thread's work on an export.
 * Entries are deflated, their names ASCII; sizes above 4 GiB (ZIP64) are not written and are refused.
 */
export class ZipStream {
  private readonly entries: Entry[] = [];
  private offset = 0;
  private streaming = false;
  private ended = false;

  constructor(
    private readonly out: Writable,
    /** zlib's level, 1 (fastest) to 9. */
    private readonly level: number,
    /** When the entries were made (their DOS date and time, as the instant's time in Beijing). */
    private readonly modified: string,
  ) {}

  /** Adds an entry of `content`, whole. */
  add(name: string, content: string | Buffer): void {
    const data = typeof content === 'string' ? Buffer.from(content) : content;
    const packed = deflateRawSync(data, { level: this.level });
    const entry = this.begin(name, { crc: crc32(data), packed: packed.length, size: data.length });
    this.written(Buffer.concat([this.localHeader(entry, false), packed]));
  }

  /**
   * Adds the entry `name`, the last one, written as its bytes come through the answer (which keeps to the stream's
   * pace: a write answers false while the archive waits for `out`); ending it ends the archive and `out`. Resolves
   * once everything is handed to `out` (or `out` is gone: nothing more is deflated).
   */
  stream(name: string): { writable: Writable; finished: Promise<void> } {
    if (this.streaming) throw new Error('a ZIP stream takes one streamed entry, its last');
    this.streaming = true;
    const entry = this.begin(name, { crc: 0, packed: 0, size: 0 });
    this.written(this.localHeader(entry, true));
    const deflate = createDeflateRaw({ level: this.level, chunkSize: 64 * 1024 });
    const out = this.out;
    let settle!: () => void;
    const finished = new Promise<void>((resolve) => (settle = resolve));
    const gone = () => {
      deflate.destroy();
      settle();
    };
    out.once('close', gone);
    deflate.on('data', (chunk: Buffer) => {
      entry.packed += chunk.length;
      this.offset += chunk.length;
      if (!out.write(chunk)) {
        deflate.pause();
        out.once('drain', () => deflate.resume());
      }
    });
    deflate.on('error', (error) => out.destroy(error));
    deflate.on('end', () => {
      out.off('close', gone);
      if (entry.size > 0xffffffff || entry.packed > 0xffffffff || this.offset > 0xffffffff) {
        out.destroy(new Error('the archive is larger than 4 GiB, which a ZIP without ZIP64 cannot hold'));
      } else {
        const descriptor = Buffer.alloc(16);
        descriptor.writeUInt32LE(0x08074b50, 0);
        descriptor.writeUInt32LE(entry.crc >>> 0, 4);
        descriptor.writeUInt32LE(entry.packed, 8);
        descriptor.writeUInt32LE(entry.size, 12);
        this.offset += descriptor.length;
        out.end(Buffer.concat([descriptor, this.centralDirectory(true)]));
      }
      settle();
    });
    const writable = new Writable({
      write(chunk: Buffer, _encoding, done) {
        entry.crc = crc32(chunk, entry.crc);
        entry.size += chunk.length;
        if (deflate.write(chunk)) done();
        else deflate.once('drain', () => done());
      },
      final(done) {
        deflate.end();
        done();
      },
    });
    writable.on('error', (error) => out.destroy(error));
    return { writable, finished };
  }

  /** Ends the archive and `out`, when no entry is streamed (a streamed entry ends them itself). */
  end(): void {
    if (this.streaming || this.ended) return;
    this.ended = true;
    this.out.end(this.centralDirectory(false));
  }

  private begin(name: string, sizes: Pick<Entry, 'crc' | 'packed' | 'size'>): Entry {
    const entry = { name: Buffer.from(name, 'ascii'), ...sizes, offset: this.offset };
    this.entries.push(entry);
    return entry;
  }

  private written(bytes: Buffer): void {
    this.offset += bytes.length;
    this.out.write(bytes);
  }

  /** The local header of an entry; one streamed has its checksum and sizes in the descriptor after its data. */
  private localHeader(entry: Entry, streamed: boolean): Buffer {
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4); // version needed: 2.0, deflate
    header.writeUInt16LE(streamed ? 0x0008 : 0, 6);
    header.writeUInt16LE(DEFLATED, 8);
    this.writeDosTime(header, 10);
    header.writeUInt32LE(streamed ? 0 : entry.crc >>> 0, 14);
    header.writeUInt32LE(streamed ? 0 : entry.packed, 18);
    header.writeUInt32LE(streamed ? 0 : entry.size, 22);
    header.writeUInt16LE(entry.name.length, 26);
    header.writeUInt16LE(0, 28);
    return Buffer.concat([header, entry.name]);
  }

  /** The central directory (every entry, the streamed one's descriptor flag kept) and its end record. */
  private centralDirectory(streamedLast: boolean): Buffer {
    const start = this.offset;
    const headers = this.entries.map((entry, i) => {
      const header = Buffer.alloc(46);
      header.writeUInt32LE(0x02014b50, 0);
      header.writeUInt16LE(20, 4); // made by: MS-DOS, 2.0
      header.writeUInt16LE(20, 6);
      header.writeUInt16LE(streamedLast && i === this.entries.length - 1 ? 0x0008 : 0, 8);
      header.writeUInt16LE(DEFLATED, 10);
      this.writeDosTime(header, 12);
      header.writeUInt32LE(entry.crc >>> 0, 16);
      header.writeUInt32LE(entry.packed, 20);
      header.writeUInt32LE(entry.size, 24);
      header.writeUInt16LE(entry.name.length, 28);
      // extra field, comment, disk, internal and external attributes: none
      header.writeUInt32LE(entry.offset, 42);
      return Buffer.concat([header, entry.name]);
    });
    const directory = Buffer.concat(headers);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(start, 16);
    this.offset += directory.length + end.length;
    return Buffer.concat([directory, end]);
  }

  /** The DOS time and date of `modified`, in Beijing (2-second steps; years from 1980). */
  private writeDosTime(buffer: Buffer, at: number): void {
    const t = new Date(Date.parse(this.modified) + 8 * 3_600_000);
    const year = Math.max(1980, t.getUTCFullYear());
    buffer.writeUInt16LE((t.getUTCHours() << 11) | (t.getUTCMinutes() << 5) | (t.getUTCSeconds() >> 1), at);
    buffer.writeUInt16LE(((year - 1980) << 9) | ((t.getUTCMonth() + 1) << 5) | t.getUTCDate(), at + 2);
  }
}
