import type { ChannelAddress, NotificationChannel, ReminderMessage } from '@zhenggai/application';
import { webhookRequest, type WebhookAddress } from './webhook-payload';

export interface WebhookChannelOptions {
  /** How long the receiver has to answer in full; a hung robot must not hold a delivery. Default 10 s. */
  readonly timeoutMs?: number;
  /** The clock robot signatures are made with. */
  readonly now?: () => Date;
}

/**
 * POSTs a reminder as JSON to a webhook in its format. Robots answer HTTP 200 even when they refuse a
 * message (bad signature, missing keyword, rate limit) and say so in the body, so the body is read too.
 */
export class WebhookChannel implements NotificationChannel {
  readonly kind = 'webhook' as const;
  private readonly timeoutMs: number;
  private readonly now: () => Date;

  constructor(options: WebhookChannelOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? (() => new Date());
  }

  async send(address: ChannelAddress, message: ReminderMessage): Promise<void> {
    if (address.kind !== 'webhook') throw new Error(`the webhook channel cannot send to an ${address.kind} address`);
    const where = describeTarget(address);
    const { url, body } = webhookRequest(address, message, this.now());
    let status: number;
    let answer: string;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.status;
      answer = await response.text();
    } catch (error) {
      // Only a reason: fetch's own errors may repeat the URL, and robot URLs carry their access token.
      throw new Error(`webhook ${where} failed: ${failureReason(error, this.timeoutMs)}`);
    }
    if (status < 200 || status > 299) {
      throw new Error(`webhook ${where} answered HTTP ${status}: ${answer.slice(0, 200)}`);
    }
    const refusal = robotRefusal(address.format, answer);
    if (refusal) throw new Error(`webhook ${where} refused the message: ${refusal}`);
  }
}

/**
 * Origin and path only: DingTalk and WeCom carry the robot's token in the query, Feishu as the last path
 * segment after `/hook/`, which is masked too.
 */
function describeTarget(address: WebhookAddress): string {
  let url: URL;
  try {
    url = new URL(address.url);
  } catch {
    throw new Error(`webhook address (${address.format}) is not a valid URL`);
  }
  return `${address.format} ${url.origin}${url.pathname.replace(/\/hook\/[^/]+/, '/hook/***')}`;
}

/** Duck-typed: fetch's errors come from Node's own realm, where `instanceof Error` of a jest sandbox fails. */
function failureReason(error: unknown, timeoutMs: number): string {
  const { name, cause } = (error ?? {}) as { name?: unknown; cause?: { code?: unknown } };
  if (name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (typeof cause?.code === 'string') return cause.code;
  return typeof name === 'string' ? name : 'unknown error';
}

/** DingTalk and WeCom say `{ errcode, errmsg }`, Feishu `{ code, msg }`; 0 is success. */
function robotRefusal(format: WebhookAddress['format'], answer: string): string | null {
  if (format === 'json') return null;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(answer) as Record<string, unknown>;
  } catch {
    return null;
  }
  const [code, text] = format === 'feishu' ? [parsed?.code, parsed?.msg] : [parsed?.errcode, parsed?.errmsg];
  if (code === undefined || code === 0) return null;
  return `${String(code)} ${String(text ?? '')}`.trim().slice(0, 200);
}
