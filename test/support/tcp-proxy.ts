import net from 'node:net';

/**
 * A TCP proxy in front of a server (PostgreSQL), so that a test can take the server out of reach of one app and
 * of nothing else: `cut()` drops every connection and stops listening (new ones are refused, as by a server that
 * is down), `restore()` listens again on the same port.
 */
export class TcpProxy {
  private readonly sockets = new Set<net.Socket>();
  private server: net.Server | null = null;

  private constructor(
    private readonly target: { host: string; port: number },
    private listenPort: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target, 0);
    await proxy.restore();
    return proxy;
  }

  get port(): number {
    return this.listenPort;
  }

  /** Every connection dropped at once, and none accepted until `restore()`. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async restore(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          this.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) =>
      server.once('error', reject).listen(this.listenPort, '127.0.0.1', () => resolve()),
    );
    this.listenPort = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  async close(): Promise<void> {
    await this.cut();
  }
}
