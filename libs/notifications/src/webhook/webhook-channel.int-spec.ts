import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChannelAddress, WebhookFormat } from '@zhenggai/application';
import { sampleReminder } from '../testing/sample-reminder';
import { WebhookChannel } from './webhook-channel';
import { webhookPayload } from './webhook-payload';

interface Received {
  readonly method: string;
  readonly url: URL;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

/** A webhook receiver on this machine; each test says how it answers. */
describe('webhook channel (real HTTP receiver)', () => {
  let server: Server;
  let base: string;
  let received: Received[];
  let answer: (response: ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          method: request.method ?? '',
          url: new URL(request.url ?? '/', base),
          contentType: request.headers['content-type'],
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
        answer(response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    received = [];
    answer = (response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
  });

  const now = new Date('2025-06-04T01:02:03.456Z');
  const channel = new WebhookChannel({ now: () => now });
  const message = sampleReminder();
  const webhook = (format: WebhookFormat, path = '/robot/send?access_token=t0k', secret?: string): ChannelAddress => ({
    kind: 'webhook',
    format,
    url: `${base}${path}`,
    secret,
  });

  it.each(['json', 'json-batch', 'dingtalk', 'wecom', 'feishu'] as const)(
    'delivers the %s format as JSON',
    async (format) => {
      if (format === 'feishu')
        answer = (response) => response.writeHead(200).end('{"code":0,"msg":"success","data":{}}');
      await channel.send(webhook(format), message);
      expect(received).toHaveLength(1);
      expect(received[0].method).toBe('POST');
      expect(received[0].contentType).toBe('application/json');
      expect(received[0].url.searchParams.get('access_token')).toBe('t0k');
      expect(received[0].body).toEqual(webhookPayload(format, message));
    },
  );

  it('signs for a DingTalk robot with a secret, as the robot checks it', async () => {
    const secret = 'SECexample0123456789';
    await channel.send(webhook('dingtalk', '/robot/send?access_token=t0k', secret), message);
    const query = received[0].url.searchParams;
    const timestamp = query.get('timestamp') ?? '';
    expect(Number(timestamp)).toBe(now.getTime());
    const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
    expect(query.get('sign')).toBe(expected);
    expect(query.get('access_token')).toBe('t0k');
  });

  it('signs for a Feishu robot with a secret in the body', async () => {
    answer = (response) => response.writeHead(200).end('{"code":0,"msg":"success"}');
    const secret = 'feishu-secret';
    await channel.send(webhook('feishu', '/open-apis/bot/v2/hook/abc', secret), message);
    const body = received[0].body as { timestamp: string; sign: string };
    expect(body.timestamp).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(body.sign).toBe(createHmac('sha256', `${body.timestamp}\n${secret}`).update('').digest('base64'));
  });

  it('throws on a non-2xx answer, with status and body but not the token or secret', async () => {
    answer = (response) => response.writeHead(500).end(`internal error ${'x'.repeat(300)}`);
    const failure = channel.send(webhook('dingtalk', '/robot/send?access_token=t0k', 'SECsecret'), message);
    await expect(failure).rejects.toThrow(`${base}/robot/send answered HTTP 500: internal error ${'x'.repeat(185)}`);
    await expect(failure).rejects.not.toThrow(/t0k|SECsecret|x{186}/);
  });

  it('throws when a robot answers 200 with an error code in the body', async () => {
    answer = (response) => response.writeHead(200).end('{"errcode":310000,"errmsg":"sign not match"}');
    await expect(channel.send(webhook('dingtalk'), message)).rejects.toThrow(
      'refused the message: 310000 sign not match',
    );
    await expect(channel.send(webhook('wecom'), message)).rejects.toThrow('310000');
    answer = (response) => response.writeHead(200).end('{"code":19021,"msg":"sign match fail"}');
    const feishu = channel.send(webhook('feishu', '/open-apis/bot/v2/hook/secret-token'), message);
    await expect(feishu).rejects.toThrow('19021 sign match fail');
    await expect(feishu).rejects.not.toThrow('secret-token');
  });

  it('says a robot is busy, not that it refused, when it answers that it is sent too much too fast', async () => {
    const busy = async (format: WebhookFormat, body: string, path?: string) => {
      answer = (response) => response.writeHead(200).end(body);
      return channel.send(webhook(format, path), message).then(
        () => null,
        (error: Error & { retryAfterMs?: number }) => [error.message, error.retryAfterMs],
      );
    };
    const [text, after] = (await busy(
      'dingtalk',
      '{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}',
    ))!;
    expect(text).toContain('sending too fast: 130101 send too fast');
    expect(after).toBe(60_000);
    expect((await busy('dingtalk', '{"errcode":410100,"errmsg":"发送速度太快而限流"}'))![1]).toBe(60_000);
    expect((await busy('wecom', '{"errcode":45009,"errmsg":"api freq out of limit"}'))![1]).toBe(60_000);
    const feishu = '/open-apis/bot/v2/hook/secret-token';
    expect((await busy('feishu', '{"code":11232,"msg":"frequency limited"}', feishu))![1]).toBe(60_000);
    // Any other code is a refusal of the message, which spends an attempt.
    expect((await busy('dingtalk', '{"errcode":310000,"errmsg":"sign not match"}'))![1]).toBeUndefined();
    // HTTP 429 with Retry-After in seconds, or none (a minute).
    answer = (response) => response.writeHead(429, { 'retry-after': '7' }).end('slow down');
    await expect(channel.send(webhook('json', '/hook'), message)).rejects.toMatchObject({ retryAfterMs: 7_000 });
    answer = (response) => response.writeHead(429).end();
    await expect(channel.send(webhook('json', '/hook'), message)).rejects.toMatchObject({ retryAfterMs: 60_000 });
  });

  it('paces a group robot as its platform documents it, and a json receiver not at all', () => {
    expect(channel.paceOf(webhook('dingtalk'))).toEqual([{ messages: 20, perMs: 60_000 }]);
    expect(channel.paceOf(webhook('wecom'))).toEqual([{ messages: 20, perMs: 60_000 }]);
    expect(channel.paceOf(webhook('feishu'))).toEqual([
      { messages: 100, perMs: 60_000 },
      { messages: 5, perMs: 1_000 },
    ]);
    expect(channel.paceOf(webhook('json'))).toEqual([]);
    expect(channel.paceOf(webhook('json-batch'))).toEqual([]);
  });

  it('gives up on a receiver that never answers', async () => {
    answer = () => undefined;
    const impatient = new WebhookChannel({ timeoutMs: 200, now: () => now });
    const started = Date.now();
    await expect(impatient.send(webhook('json'), message)).rejects.toThrow('no answer within 200 ms');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('gives up on a receiver that starts to answer and never ends', async () => {
    answer = (response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{');
    };
    const impatient = new WebhookChannel({ timeoutMs: 200, now: () => now });
    await expect(impatient.send(webhook('json'), message)).rejects.toThrow('no answer within 200 ms');
  });

  it('throws when nothing listens, naming the cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const address: ChannelAddress = { kind: 'webhook', format: 'json', url: `http://127.0.0.1:${port}/hook?key=k3y` };
    await expect(channel.send(address, message)).rejects.toThrow('ECONNREFUSED');
  });
});
