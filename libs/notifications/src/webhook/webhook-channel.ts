import {
  AddressBusyError,
  type ChannelAddress,
  type NotificationChannel,
  type ReminderMessage,
  type SendingPace,
} from '@zhenggai/application';
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

  /**
   * A robot group's notices, several to a message, and a `json-batch` receiver's messages, up to a hundred a request
   * (`robotBundles`); each message alone to a `json` receiver.
   */
  together(address: ChannelAddress, messages: readonly ReminderMessage[]): number[][] {
    if (address.kind !== 'webhook') return messages.map((_, index) => [index]);
    return robotBundles(address.format, messages);
  }

  async sendTogether(address: ChannelAddress, messages: readonly ReminderMessage[]): Promise<void> {
    if (address.kind !== 'webhook') throw new Error(`the webhook channel cannot send to an ${address.kind} address`);
    await this.deliver(address, () => webhookBundleRequest(address, messages, this.now()));
  }

  /** A group robot's limit: DingTalk and WeCom take 20 messages a minute, Feishu 100 a minute and 5 a second. */
  paceOf(address: ChannelAddress): readonly SendingPace[] {
    return address.kind === 'webhook' ? ROBOT_PACES[address.format] : [];
  }

  /** Posts the request `made` (once the address is known to be a URL: a robot's would be repeated in errors). */
  private async deliver(address: WebhookAddress, made: () => { url: string; body: unknown }): Promise<void> {
    const where = describeTarget(address);
    const { url, body } = made();
    let answered: { status: number; answer: string; retryAfter?: string };
    try {
      answered = await this.post(new URL(url), JSON.stringify(body));
    } catch (error) {
      // Only a reason: the client's own errors may repeat the URL, and robot URLs carry their access token.
      const reason = error === TIMED_OUT ? `no answer within ${this.timeoutMs} ms` : failureReason(error);
      throw new Error(`webhook ${where} failed: ${reason}`);
    }
    const { status, answer, retryAfter } = answered;
    if (status === 429) {
      throw new AddressBusyError(
        `webhook ${where} answered HTTP 429 (too many requests)`,
        retryAfterMs(retryAfter, this.now().getTime()),
      );
    }
    if (status < 200 || status > 299) {
      throw new Error(`webhook ${where} answered HTTP ${status}: ${answer.slice(0, 200)}`);
    }
    const refusal = robotRefusal(address.format, answer);
    if (refusal?.busy) throw new AddressBusyError(`webhook ${where} is sending too fast: ${refusal.text}`, 60_000);
    if (refusal) throw new Error(`webhook ${where} refused the message: ${refusal.text}`);
  }

  /**
   * The answer in full, unless `timeoutMs` passes first (rejected with TIMED_OUT, the request destroyed). A plain
   * timer, not `AbortSignal.timeout`: the signal's listeners doubled the client's CPU per POST.
   */
  private post(url: URL, body: string): Promise<{ status: number; answer: string; retryAfter?: string }> {
    const secure = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      let timedOut = false;
      const failed = (error: unknown) => {
        clearTimeout(timer);
        reject(timedOut ? TIMED_OUT : error);
      };
      const answering = (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: response.statusCode ?? 0,
            answer: Buffer.concat(chunks).toString('utf8'),
            retryAfter: response.headers['retry-after'],
          });
        });
        response.on('error', failed);
        response.on('aborted', () => failed(new Error('aborted')));
      };
      const options = {
        method: 'POST',
        agent: secure ? this.agents.https : this.agents.http,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      };
      const request = secure ? httpsRequest(url, options, answering) : httpRequest(url, options, answering);
      const timer = setTimeout(() => {
        timedOut = true;
        request.destroy(TIMED_OUT);
      }, this.timeoutMs).unref();
      request.on('error', failed);
      request.end(body);
    });
  }
}

/** Why a request was destroyed when the receiver took longer than the channel's timeout to answer in full. */
const TIMED_OUT = new Error('timed out');

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

/** How fast each format's address takes messages (a group robot's documented limit; a `json` receiver has none). */
const ROBOT_PACES: Record<WebhookAddress['format'], readonly SendingPace[]> = {
  json: [],
  'json-batch': [],
  dingtalk: [{ messages: 20, perMs: 60_000 }],
  wecom: [{ messages: 20, perMs: 60_000 }],
  feishu: [
    { messages: 100, perMs: 60_000 },
    { messages: 5, perMs: 1_000 },
  ],
};

/**
 * The codes a robot answers when it is sent too much too fast: DingTalk 130101 (send too fast, exceed 20 times per
 * minute) and 410100 (限流), WeCom 45009 (api freq out of limit), Feishu 9499 (too many request) and 11232
 * (frequency limited).
 */
const BUSY_CODES: Record<Exclude<WebhookAddress['format'], 'json' | 'json-batch'>, readonly number[]> = {
  dingtalk: [130101, 410100],
  wecom: [45009],
  feishu: [9499, 11232],
};

/** A 429's Retry-After (seconds, or an HTTP date) in ms; a minute when it says nothing usable. */
function retryAfterMs(header: string | undefined, nowMs: number): number {
  if (header === undefined) return 60_000;
  const seconds = Number(header);
  if (header.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 3_600_000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.min(Math.max(0, at - nowMs), 3_600_000) : 60_000;
}

/**
 * DingTalk and WeCom say `{ errcode, errmsg }`, Feishu `{ code, msg }`; 0 is success. `busy` when the code says the
 * robot is taking no more for now.
 */
function robotRefusal(format: WebhookAddress['format'], answer: string): { text: string; busy: boolean } | null {
  if (format === 'json' || format === 'json-batch') return null;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(answer) as Record<string, unknown>;
  } catch {
    return null;
  }
  const [code, text] = format === 'feishu' ? [parsed?.code, parsed?.msg] : [parsed?.errcode, parsed?.errmsg];
  if (code === undefined || code === 0) return null;
  return {
    text: `${String(code)} ${String(text ?? '')}`.trim().slice(0, 200),
    busy: BUSY_CODES[format].includes(Number(code)),
  };
}
