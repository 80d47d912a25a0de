import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { EvidenceRecord, EvidenceStore, isSocketFailure, StoreUnavailableError } from '@zhenggai/application';
import type { EvidenceStoreConfig } from '../config/app-config';

/** The bucket and its credentials, from EVIDENCE_STORE=s3 and the S3_* variables. */
export type S3EvidenceConfig = Omit<Extract<EvidenceStoreConfig, { kind: 's3' }>, 'kind'>;

/** Evidence in an S3-compatible bucket (production): `<prefix><id>` holds the bytes, `<prefix><id>.json` the record. */
export class S3EvidenceStore implements EvidenceStore {
  private readonly client: S3Client;

  constructor(private readonly config: S3EvidenceConfig) {
    this.client = new S3Client({
      region: config.region,
      endpoint: config.endpoint ?? undefined,
      forcePathStyle: config.forcePathStyle,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      // Many S3-compatible stores do not know the SDK's newer default checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(record: EvidenceRecord, bytes: Buffer): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.config.bucket,
          Key: this.key(record.id),
          Body: bytes,
          ContentType: record.contentType,
          ContentLength: bytes.length,
        }),
      );
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.config.bucket,
          Key: `${this.key(record.id)}.json`,
          Body: JSON.stringify(record),
          ContentType: 'application/json',
        }),
      );
    } catch (error) {
      throw asS3Failure(error);
    }
  }

  async get(id: string): Promise<{ record: EvidenceRecord; bytes: Buffer } | null> {
    const record = await this.record(id);
    if (!record) return null;
    return absentAsNull(async () => {
      const data = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: this.key(id) }));
      return { record, bytes: Buffer.from(await data.Body!.transformToByteArray()) };
    });
  }

  record(id: string): Promise<EvidenceRecord | null> {
    return absentAsNull(async () => {
      const meta = await this.client.send(
        new GetObjectCommand({ Bucket: this.config.bucket, Key: `${this.key(id)}.json` }),
      );
      return JSON.parse(await meta.Body!.transformToString('utf8')) as EvidenceRecord;
    });
  }

  close(): void {
    this.client.destroy();
  }

  private key(id: string): string {
    return `${this.config.prefix}${id.toLowerCase()}`;
  }
}

async function absentAsNull<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return null;
    throw asS3Failure(error);
  }
}

/**
 * The error as the application should see it: a {@link StoreUnavailableError} when the bucket is out of reach (no
 * connection, a timeout, or the store answering 5xx after the SDK's own retries), the error itself otherwise.
 */
function asS3Failure(error: unknown): unknown {
  const { name, $metadata } = (error ?? {}) as { name?: unknown; $metadata?: { httpStatusCode?: number } };
  const status = $metadata?.httpStatusCode;
  const unreachable =
    isSocketFailure(error) || name === 'TimeoutError' || (typeof status === 'number' && status >= 500);
  return unreachable ? new StoreUnavailableError('The evidence store (S3)', error) : error;
}
