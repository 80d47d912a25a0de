import { resolve } from 'node:path';
import { isClockTime } from '@zhenggai/domain';
import { allProjections } from '@zhenggai/read-models';

/** Everything the processes read from the environment, parsed and checked once at start. */
export interface AppConfig {
  readonly port: number;
  readonly host: string;
  /** `null` means the embedded default: an embedded PostgreSQL under `dataDir`. */
  readonly databaseUrl: string | null;
  /**
   * Where the events are stored (`EVENTSTORE`): in the PostgreSQL above, or in EventStoreDB / KurrentDB at
   * `ESDB_URL`. Read models, users, checkpoints and (without REDIS_URL) job queues stay in PostgreSQL either way.
   */
  readonly eventStore: EventStoreConfig;
  readonly dataDir: string;
  /** Most PostgreSQL connections this process opens. */
  readonly databasePoolSize: number;
  readonly embeddedPostgresPort: number | undefined;
  /** `null` in the embedded default: a secret is generated once and kept in `dataDir`. */
  readonly jwtSecret: string | null;
  /** Access tokens live this long; a refresh token renews them until `refreshTtlSeconds` after sign-in. */
  readonly jwtTtlSeconds: number;
  readonly refreshTtlSeconds: number;
  /** Failed sign-ins in a row that lock an account, and for how long. */
  readonly loginMaxFailures: number;
  readonly loginLockSeconds: number;
  /** Sign-in attempts per minute from one client address. */
  readonly loginRatePerMinute: number;
  /** How many reverse proxies stand in front of the API (their X-Forwarded-For names the client); 0: none. */
  readonly trustedProxies: number;
  /** Browser origins allowed to call the API from other sites (CORS); empty: only the app's own pages. */
  readonly corsOrigins: readonly string[];
  /**
   * 红黄绿灯: a task turns yellow this many days before its deadline; `null`: when the default ladder's first reminder is
   * due.
   */
  readonly deadlineWarningDays: number | null;
  /** 整改台账: the most tasks one export carries; more answer 422 EXPORT_TOO_LARGE before anything is sent. */
  readonly ledgerMaxRows: number;
  readonly seedDemo: boolean;
  readonly initialAdmin: { username: string; password: string } | null;
  /**
   * The projections this worker prefers (`PROJECTIONS_PREFERRED`), when workers share them: it takes their leases at
   * once and the others' only after `projectionDeferSeconds` (a fail-over, or no worker preferring them). Null: it
   * takes every lease it finds free at once.
   */
  readonly preferredProjections: readonly string[] | null;
  readonly projectionDeferSeconds: number;
  /** Whether this process runs the reminder ladder (its jobs, deliveries and reconciliation). */
  readonly reminders: boolean;
  /** BullMQ on Redis when set; otherwise BullMQ's PostgreSQL backend on the database above. */
  readonly redisUrl: string | null;
  /** The key prefix of BullMQ's queues on Redis (several installations may share one Redis). */
  readonly redisPrefix: string;
  /** How often the reminder reconciliation compares what is owed with what is queued. */
  readonly reminderReconcileSeconds: number;
  /** When the daily digest (每日督办简报) goes out each day, Asia/Shanghai time, as HH:MM (`DIGEST_TIME`). */
  readonly digestTime: string;
  /** Attempts per external delivery, and the first wait between them (doubling each time). */
  readonly deliveryRetry: { attempts: number; backoffMs: number };
  /** E-mail for reminders: an SMTP URL (`smtp://user:pass@host:587`, `smtps://...`) and the sender. */
  readonly smtp: { url: string; from: string } | null;
  /** The address people open the app at, for links in reminders. */
  readonly publicUrl: string;
  /** Where uploaded evidence is kept: a folder (default `DATA_DIR/evidence`) or an S3-compatible bucket. */
  readonly evidence: EvidenceStoreConfig;
  /**
   * How long a shutdown may take before it abandons what is still closing (a queue waiting for a Redis that is gone).
   */
  readonly shutdownGraceSeconds: number;
}

export type EvidenceStoreConfig =
  | { readonly kind: 'local'; readonly dir: string }
  | {
      readonly kind: 's3';
      /**
       * e.g. https://s3.cn-north-1.amazonaws.com.cn, or a MinIO / OSS / COS endpoint; null: the SDK's default for the
       * region.
       */
      readonly endpoint: string | null;
      readonly region: string;
      readonly bucket: string;
      /** Key prefix inside the bucket, e.g. `evidence/`. */
      readonly prefix: string;
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
      /** The bucket in the path rather than the host name (MinIO and most self-hosted stores). */
      readonly forcePathStyle: boolean;
    };
export type EventStoreConfig = { readonly kind: 'postgres' } | { readonly kind: 'esdb'; readonly url: string };

export class ConfigurationError extends Error {
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

const MIN_SECRET_LENGTH = 32;

/** How long a stop may take by default (`SHUTDOWN_GRACE_SECONDS`). */
export const DEFAULT_SHUTDOWN_GRACE_SECONDS = 20;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const integer = (name: string, fallback: number | undefined, min: number, max: number): number | undefined => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const raw = text(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };

  const databaseUrl = text('DATABASE_URL') ?? null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// URL (leave it unset to run on the embedded PostgreSQL)');
  }
  const embedded = databaseUrl === null;

  const eventStore = eventStoreConfig(text('EVENTSTORE'), text('ESDB_URL'), problems);

  const jwtSecret = text('JWT_SECRET') ?? null;
  if (jwtSecret !== null && jwtSecret.length < MIN_SECRET_LENGTH) {
    problems.push(`JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  if (!embedded && jwtSecret === null) {
    problems.push('JWT_SECRET must be set when DATABASE_URL is set (e.g. `openssl rand -base64 48`)');
  }

  const adminUsername = text('ADMIN_USERNAME');
  const adminPassword = text('ADMIN_PASSWORD');
  if ((adminUsername === undefined) !== (adminPassword === undefined)) {
    problems.push('ADMIN_USERNAME and ADMIN_PASSWORD go together: set both or neither');
  }
  if (adminPassword !== undefined && adminPassword.length < 12) {
    problems.push('ADMIN_PASSWORD must be at least 12 characters');
  }

  const redisUrl = text('REDIS_URL') ?? null;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl))
    problems.push('REDIS_URL must be a redis:// or rediss:// URL (leave it unset to queue jobs in PostgreSQL)');
  const redisPrefix = text('REDIS_PREFIX') ?? 'bull';
  if (!/^[\w.-]{1,64}$/.test(redisPrefix))
    problems.push('REDIS_PREFIX must be 1 to 64 letters, digits, dots, dashes or underscores');
  const smtpUrl = text('SMTP_URL');
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) problems.push('SMTP_URL must be an smtp:// or smtps:// URL');
  const mailFrom = text('MAIL_FROM');
  if (smtpUrl && !mailFrom)
    problems.push(
      'MAIL_FROM must be set with SMTP_URL (the sender of reminder e-mails, e.g. 督查室 <duchashi@example.gov.cn>)',
    );
  const port = integer('PORT', 3000, 0, 65535)!;
  const corsOrigins = (text('CORS_ORIGINS') ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/]+$/.test(origin))
      problems.push(`CORS_ORIGINS must list origins like https://zhenggai.example.gov.cn (got "${origin}")`);
  }
  const publicUrl = text('PUBLIC_URL') ?? `http://localhost:${port}`;
  if (!/^https?:\/\//.test(publicUrl)) problems.push('PUBLIC_URL must be an http:// or https:// URL');

  const dataDir = resolve(text('DATA_DIR') ?? '.data');
  const evidenceKind = text('EVIDENCE_STORE') ?? 'local';
  let evidence: EvidenceStoreConfig = {
    kind: 'local',
    dir: resolve(text('EVIDENCE_DIR') ?? resolve(dataDir, 'evidence')),
  };
  if (evidenceKind === 's3') {
    const missing = ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'].filter(
      (name) => text(name) === undefined,
    );
    if (missing.length > 0) problems.push(`EVIDENCE_STORE=s3 needs ${missing.join(', ')}`);
    const endpoint = text('S3_ENDPOINT') ?? null;
    if (endpoint && !/^https?:\/\//.test(endpoint)) problems.push('S3_ENDPOINT must be an http:// or https:// URL');
    evidence = {
      kind: 's3',
      endpoint,
      region: text('S3_REGION') ?? 'us-east-1',
      bucket: text('S3_BUCKET') ?? '',
      prefix: text('S3_PREFIX') ?? 'evidence/',
      accessKeyId: text('S3_ACCESS_KEY_ID') ?? '',
      secretAccessKey: text('S3_SECRET_ACCESS_KEY') ?? '',
      forcePathStyle: flag('S3_FORCE_PATH_STYLE', endpoint !== null),
    };
  } else if (evidenceKind !== 'local') {
    problems.push(`EVIDENCE_STORE must be local or s3 (got "${evidenceKind}")`);
  }

  const preferred = text('PROJECTIONS_PREFERRED')
    ?.split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const projectionNames = allProjections.map((projection) => projection.name);
  const unknownProjections = (preferred ?? []).filter((name) => !projectionNames.includes(name));
  if (unknownProjections.length > 0)
    problems.push(
      `PROJECTIONS_PREFERRED names projections that do not exist: ${unknownProjections.join(', ')} ` +
        `(they are ${projectionNames.join(', ')})`,
    );

  const digestTime = text('DIGEST_TIME') ?? '08:30';
  if (!isClockTime(digestTime))
    problems.push(`DIGEST_TIME must be a time of day HH:MM, Asia/Shanghai (got "${digestTime}")`);
  const config: AppConfig = {
    port,
    host: text('HOST') ?? (embedded ? '127.0.0.1' : '0.0.0.0'),
    databaseUrl,
    eventStore,
    dataDir,
    databasePoolSize: integer('DATABASE_POOL_SIZE', 20, 2, 500)!,
    embeddedPostgresPort: integer('EMBEDDED_PG_PORT', undefined, 1, 65535),
    jwtSecret,
    jwtTtlSeconds: integer('JWT_TTL_SECONDS', 900, 60, 24 * 3600)!,
    refreshTtlSeconds: integer('REFRESH_TTL_SECONDS', 7 * 86_400, 300, 90 * 86_400)!,
    loginMaxFailures: integer('LOGIN_MAX_FAILURES', 5, 1, 100)!,
    loginLockSeconds: integer('LOGIN_LOCK_SECONDS', 900, 1, 86_400)!,
    loginRatePerMinute: integer('LOGIN_RATE_PER_MINUTE', 30, 1, 10_000)!,
    corsOrigins,
    trustedProxies: integer('TRUST_PROXY', 0, 0, 10)!,
    deadlineWarningDays: integer('DEADLINE_WARNING_DAYS', undefined, 0, 60) ?? null,
    ledgerMaxRows: integer('LEDGER_MAX_ROWS', 20_000, 1, 1_000_000)!,
    seedDemo: flag('SEED_DEMO', embedded),
    initialAdmin: adminUsername && adminPassword ? { username: adminUsername, password: adminPassword } : null,
    preferredProjections: preferred ?? null,
    projectionDeferSeconds: integer('PROJECTION_DEFER_SECONDS', 30, 1, 3600)!,
    reminders: flag('REMINDERS', true),
    redisUrl,
    redisPrefix,
    reminderReconcileSeconds: integer('REMINDER_RECONCILE_SECONDS', 600, 5, 86_400)!,
    digestTime,
    deliveryRetry: {
      attempts: integer('DELIVERY_ATTEMPTS', 6, 1, 50)!,
      backoffMs: integer('DELIVERY_BACKOFF_MS', 5000, 10, 3_600_000)!,
    },
    smtp: smtpUrl && mailFrom ? { url: smtpUrl, from: mailFrom } : null,
    publicUrl: publicUrl.replace(/\/+$/, ''),
    evidence,
    shutdownGraceSeconds: integer('SHUTDOWN_GRACE_SECONDS', DEFAULT_SHUTDOWN_GRACE_SECONDS, 1, 3600)!,
  };
  if (problems.length > 0) throw new ConfigurationError(problems);
  return config;
}

/** EVENTSTORE (postgres, the default, or esdb) and ESDB_URL, which goes with esdb and only with it. */
function eventStoreConfig(kind: string | undefined, url: string | undefined, problems: string[]): EventStoreConfig {
  const chosen = kind?.toLowerCase() ?? 'postgres';
  if (chosen !== 'postgres' && chosen !== 'esdb') {
    problems.push(`EVENTSTORE must be postgres or esdb (got "${kind}")`);
    return { kind: 'postgres' };
  }
  if (chosen === 'postgres') {
    if (url)
      problems.push(
        'ESDB_URL is set but EVENTSTORE is not esdb: set EVENTSTORE=esdb to ' +
          'store events in EventStoreDB, or unset ESDB_URL',
      );
    return { kind: 'postgres' };
  }
  if (!url) {
    problems.push(
      'EVENTSTORE=esdb needs ESDB_URL, the EventStoreDB / KurrentDB ' +
        'connection string (e.g. esdb://eventstore:2113?tls=false)',
    );
    return { kind: 'postgres' };
  }
  if (!/^esdb(\+discover)?:\/\//.test(url)) {
    problems.push(`ESDB_URL must be an esdb:// or esdb+discover:// connection string (got "${url}")`);
  }
  return { kind: 'esdb', url };
}
