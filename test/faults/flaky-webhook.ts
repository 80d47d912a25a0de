import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * One request the receiver got: the JSON webhook's delivery id, task, level, recipient and deadline (a digest's
 * day), and whether it was accepted.
 */
export interface ReceivedDelivery {
  readonly deliveryId: string;
  readonly taskId: string;
  readonly level: string;
  readonly recipientName: string;
  readonly deadline: string;
  readonly accepted: boolean;
}

/**
 * A webhook receiver (the `json` format) that fails one request in `failEvery` with a 500, as a robot gateway
 * now and then does, and records every request it got.
 */
export class FlakyWebhook {
  readonly received: ReceivedDelivery[] = [];
  private count = 0;

  private constructor(
    private readonly server: Server,
    private readonly failEvery: number,
  ) {}

  static async start(failEvery = 10): Promise<FlakyWebhook> {
    let receiver: FlakyWebhook | null = null;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const accepted = receiver!.take(Buffer.concat(chunks).toString('utf8'));
        response
          .writeHead(accepted ? 200 : 500, { 'content-type': 'application/json' })
          .end(accepted ? '{"ok":true}' : '{"ok":false}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    receiver = new FlakyWebhook(server, failEvery);
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/robot`;
  }

  private take(body: string): boolean {
    const accepted = ++this.count % this.failEvery !== 0;
    try {
      const { deliveryId, taskId, level, recipientName, deadline } = JSON.parse(body) as Omit<
        ReceivedDelivery,
        'accepted'
      >;
      this.received.push({ deliveryId, taskId, level, recipientName, deadline, accepted });
    } catch {
      this.received.push({ deliveryId: '', taskId: '', level: '', recipientName: '', deadline: '', accepted });
    }
    return accepted;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
