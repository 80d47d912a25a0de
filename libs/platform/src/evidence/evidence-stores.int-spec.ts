import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvidenceRecord, EvidenceStore, StoreUnavailableError } from '@zhenggai/application';
import { LocalFolderEvidenceStore } from './local-folder-evidence-store';
import { S3EvidenceStore } from './s3-evidence-store';

/**
 * A tiny S3 double: PUT and GET of objects in path style, NoSuchKey for the rest. It checks that requests are
 * signed (AWS Signature V4 with the configured key), not the signature itself: a real S3 store is not run here.
 */
function s3Double(): Promise<{
  server: Server;
  url: string;
  objects: Map<string, { body: Buffer; contentType: string }>;
  unsigned: number;
}> {
  const objects = new Map<string, { body: Buffer; contentType: string }>();
  const state = { unsigned: 0 };
  const read = (request: IncomingMessage) =>
    new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk)).on('end', () => resolve(Buffer.concat(chunks)));
    });
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (!String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 Credential=test-key/'))
      state.unsigned++;
    const key = decodeURIComponent(new URL(request.url!, 'http://s3').pathname);
    if (request.method === 'PUT') {
      objects.set(key, { body: await read(request), contentType: String(request.headers['content-type']) });
      response.writeHead(200, { etag: '"x"' }).end();
    } else if (request.method === 'GET' && objects.has(key)) {
      const object = objects.get(key)!;
      response
        .writeHead(200, { 'content-type': object.contentType, 'content-length': object.body.length })
        .end(object.body);
    } else {
      response
        .writeHead(404, { 'content-type': 'application/xml' })
        .end(
          '<?xml version="1.0" ' +
            'encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified ' +
            'key does not exist.</Message></Error>',
        );
    }
  };
  const server = createServer((request, response) => void handle(request, response));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        objects,
        get unsigned() {
          return state.unsigned;
        },
      }),
    ),
  );
}

const recordOf = (bytes: Buffer): EvidenceRecord => ({
  id: randomUUID(),
  sha256: createHash('sha256').update(bytes).digest('hex'),
  capturedAt: '2018-07-05T02:00:00.000Z',
  receivedAt: '2018-07-05T02:01:00.000Z',
  contentType: 'image/jpeg',
  size: bytes.length,
  fileName: '大史郢庄拆除后.jpg',
  uploadedBy: 'unit',
});

function contract(name: string, open: () => Promise<{ store: EvidenceStore; close: () => Promise<void> }>) {
  describe(name, () => {
    let store: EvidenceStore;
    let close: () => Promise<void>;
    beforeAll(async () => ({ store, close } = await open()));
    afterAll(() => close());

    it('gives back what was put, bytes and record', async () => {
      const bytes = Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.alloc(64 * 1024, 3)]);
      const record = recordOf(bytes);
      await store.put(record, bytes);
      const found = await store.get(record.id);
      expect(found?.record).toEqual(record);
      expect(found?.bytes.equals(bytes)).toBe(true);
      expect(await store.record(record.id)).toEqual(record);
    });

    it('answers null for evidence it does not hold', async () => {
      expect(await store.get(randomUUID())).toBeNull();
      expect(await store.record(randomUUID())).toBeNull();
    });
  });
}

/** The store on the double's bucket (or on a port where none answers). */
const bucketAt = (endpoint: string) =>
  new S3EvidenceStore({
    endpoint,
    region: 'cn-north-1',
    bucket: 'zhenggai',
    prefix: 'evidence/',
    accessKeyId: 'test-key',
    secretAccessKey: 'test-secret',
    forcePathStyle: true,
  });

describe('evidence stores', () => {
  contract('a local folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zhenggai-evidence-'));
    return {
      store: new LocalFolderEvidenceStore(dir),
      close: async () => rmSync(dir, { recursive: true, force: true }),
    };
  });

  let double: Awaited<ReturnType<typeof s3Double>>;
  contract('an S3-compatible bucket (a local double)', async () => {
    double = await s3Double();
    const store = bucketAt(double.url);
    return {
      store,
      close: async () => {
        store.close();
        await new Promise((resolve) => double.server.close(resolve));
      },
    };
  });

  it('keeps S3 objects under the bucket and prefix, signed, with their content type', () => {
    const keys = [...double.objects.keys()];
    expect(keys.length).toBe(2);
    expect(keys.every((key) => key.startsWith('/zhenggai/evidence/'))).toBe(true);
    expect([...double.objects.values()].map((o) => o.contentType).sort()).toEqual(['application/json', 'image/jpeg']);
    expect(double.unsigned).toBe(0);
  });

  it(
    'answers StoreUnavailableError when the bucket does not answer, so the ' + 'API can say 503 rather than 500',
    async () => {
      const closed = await s3Double();
      await new Promise((resolve) => closed.server.close(resolve));
      const store = bucketAt(closed.url);
      try {
        const at = new Date(0).toISOString();
        const record: EvidenceRecord = {
          id: randomUUID(),
          sha256: 'a'.repeat(64),
          capturedAt: at,
          receivedAt: at,
          contentType: 'image/jpeg',
          size: 1,
          fileName: null,
          uploadedBy: 'u',
        };
        await expect(store.put(record, Buffer.from('x'))).rejects.toBeInstanceOf(StoreUnavailableError);
        await expect(store.get(record.id)).rejects.toBeInstanceOf(StoreUnavailableError);
      } finally {
        store.close();
      }
    },
  );
});
