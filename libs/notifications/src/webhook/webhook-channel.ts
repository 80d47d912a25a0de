import type { ChannelAddress, NotificationChannel, ReminderMessage } from '@zhenggai/application';
import { Agent as HttpAgent, IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { robotBundles, webhookBundleRequest, webhookRequest, type WebhookAddress } from './webhook-payload';

export interface WebhookChannelOptions {
  /** How long the receiver has to answer in full; a hung robot must not hold a delivery. Default 10 s. */
  readonly timeoutMs?: number;
  /** The clock robot signatures are made with. */
  readonly now?: () => Date;
}

/**
 * POSTs a reminder as JSON to a webhook in its format. Robots answer HTTP 200 even when they refuse a
 * message (bad signature, missing keyword, rate limit) and say so in the body, so the body is read too.
 * Node's own HTTP client, over kept-alive connections: fetch costs about twice the CPU per POST, which a worker
 * sending every notice on the API's cores pays once a message.
 */
export class WebhookChannel implements NotificationChannel {
  readonly kind = 'webhook' as const;
  private readonly timeoutMs: number;
  private readonly now: () => Date;
  private readonly agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

  constructor(options: WebhookChannelOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? (() => new Date());
  }

  async send(address: ChannelAddress, message: ReminderMessage): Promise<void> {
    if (address.kind !== 'webhook') throw new Error(`the webhook channel cannot send to an ${address.kind} address`);
    await this.deliver(address, () => webhookRequest(address, message, this.now()));
  }

  /** A robot group's notices, several to a message (`robotBundles`); each message alone to a `json` receiver. */
  together(address: ChannelAddress, messages: readonly ReminderMessage[]): number[][] {
    if (address.kind !== 'webhook') return messages.map((_, index) => [index]);
    return robotBundles(address.format, messages);
  }

  async sendTogether(address: ChannelAddress, messages: readonly ReminderMessage[]): Promise<void> {
    if (address.kind !== 'webhook') throw new Error(`the webhook channel cannot send to an ${address.kind} address`);
    await this.deliver(address, () => webhookBundleRequest(address, messages, this.now()));
  }

  /** Posts the request `made` (once the address is known to be a URL: a robot's would be repeated in errors). */
  private async deliver(address: WebhookAddress, made: () => { url: string; body: unknown }): Promise<void> {
    const where = describeTarget(address);
    const { url, body } = made();
    const signal = AbortSignal.timeout(this.timeoutMs);
    let answered: { status: number; answer: string };
    try {
      answered = await this.post(new URL(url), JSON.stringify(body), signal);
    } catch (error) {
      // Only a reason: the client's own errors may repeat the URL, and robot URLs carry their access token.
      throw new Error(
        `webhook ${where} failed: ${signal.aborted ? `no answer within ${this.timeoutMs} ms` : failureReason(error)}`,
      );
    }
    const { status, answer } = answered;
    if (status < 200 || status > 299) {
      throw new Error(`webhook ${where} answered HTTP ${status}: ${answer.slice(0, 200)}`);
    }
    const refusal = robotRefusal(address.format, answer);
    if (refusal) throw new Error(`webhook ${where} refused the message: ${refusal}`);
  }

  /** The answer in full, unless `signal` ends it first. */
  private post(url: URL, body: string, signal: AbortSignal): Promise<{ status: number; answer: string }> {
    const secure = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const answering = (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, answer: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
        response.on('aborted', () => reject(new Error('aborted')));
      };
      const options = {
        method: 'POST',
        agent: secure ? this.agents.https : this.agents.http,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        signal,
      };
      const request = secure ? httpsRequest(url, options, answering) : httpRequest(url, options, answering);
      request.on('error', reject);
      request.end(body);
    });
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

/** Duck-typed (errors of Node's own realm fail `instanceof Error` in a jest sandbox): a system error's code. */
function failureReason(error: unknown): string {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  if (typeof code === 'string') return code;
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
