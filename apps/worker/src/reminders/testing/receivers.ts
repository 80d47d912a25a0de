import { simpleParser, type ParsedMail } from 'mailparser';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** What the receivers were sent, in order of arrival. */
export interface Received {
  readonly webhooks: Array<{ path: string; body: any }>;
  readonly mails: ParsedMail[];
}

export interface Receivers {
  readonly webhookUrl: string;
  readonly smtpUrl: string;
  readonly received: Received;
  close(): Promise<void>;
}

/**
 * A webhook receiver (every path; a DingTalk robot's answer under /dingtalk) and an SMTP server, on local ports, that
 * keep everything they are sent: a test counts the arrivals.
 */
export async function startReceivers(): Promise<Receivers> {
  const received: Received = { webhooks: [], mails: [] };
  const http: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.webhooks.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(req.url?.startsWith('/dingtalk') ? '{"errcode":0,"errmsg":"ok"}' : '{}');
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const smtp = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        received.mails.push(mail);
        callback();
      }, callback);
    },
  });
  const listener = smtp.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => listener.once('listening', resolve));
  let closing: Promise<void> | undefined;
  return {
    webhookUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    smtpUrl: `smtp://127.0.0.1:${(listener.address() as AddressInfo).port}`,
    received,
    close: () =>
      (closing ??= (async () => {
        await new Promise((resolve) => http.close(resolve));
        await new Promise<void>((resolve) => smtp.close(() => resolve()));
      })()),
  };
}
