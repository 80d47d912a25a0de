import { connect, Socket } from 'node:net';

export interface HttpAnswer {
  readonly status: number;
  readonly body: any;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * One keep-alive HTTP/1.1 connection that sends a request, reads its answer, then the next: a load generator's
 * client, like wrk's, written out so that the generator (on the same two cores as the server) spends a fraction
 * of what node:http spends per request. It understands what the API answers: a status line, headers with a
 * Content-Length, a JSON body.
 */
export class HttpConnection {
  private readonly socket: Socket;
  private received: Buffer = Buffer.alloc(0);
  private waiting: { resolve(answer: HttpAnswer): void; reject(error: Error): void } | null = null;
  private failure: Error | null = null;

  private constructor(host: string, port: number) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.fail(new Error('the server closed the connection')));
  }

  static async open(host: string, port: number): Promise<HttpConnection> {
    const connection = new HttpConnection(host, port);
    await new Promise<void>((resolve, reject) => {
      connection.socket.once('connect', resolve);
      connection.socket.once('error', reject);
    });
    return connection;
  }

  request(method: string, path: string, token: string | null, body?: unknown): Promise<HttpAnswer> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiting) return Promise.reject(new Error('one request at a time on a connection'));
    const payload = body === undefined ? '' : JSON.stringify(body);
    let head = `${method} ${path} HTTP/1.1\r\nhost: bench\r\n`;
    if (token) head += `authorization: Bearer ${token}\r\n`;
    if (body !== undefined)
      head += `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n`;
    return new Promise<HttpAnswer>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(`${head}\r\n${payload}`);
    });
  }

  /** Ends the connection; a request still waiting fails. */
  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
    const headerEnd = this.received.indexOf(HEADER_END);
    if (headerEnd < 0) return;
    const head = this.received.subarray(0, headerEnd).toString('latin1');
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!length) return this.fail(new Error(`an answer without Content-Length: ${head.split('\r\n')[0]}`));
    const bodyStart = headerEnd + HEADER_END.length;
    const bodyEnd = bodyStart + Number(length[1]);
    if (this.received.length < bodyEnd) return;
    const status = Number(head.slice(9, 12));
    const text = this.received.subarray(bodyStart, bodyEnd).toString('utf8');
    this.received = this.received.subarray(bodyEnd);
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.resolve({ status, body: text === '' ? null : JSON.parse(text) });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(error);
  }
}
