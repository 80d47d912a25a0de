import { randomUUID } from 'node:crypto';

/** What became of one command sent with an `Idempotency-Key`, retried until it got an answer. */
export interface Outcome {
  readonly key: string;
  readonly path: string;
  /** The answer's status, or null when no answer came before the client gave up. */
  readonly status: number | null;
  readonly body: any;
  readonly attempts: number;
  /** Why each unanswered attempt was retried ("503", "409 IDEMPOTENCY_IN_PROGRESS", "ECONNREFUSED"…). */
  readonly retriedFor: readonly string[];
}

const RETRYABLE_CODES = new Set(['IDEMPOTENCY_IN_PROGRESS', 'STORE_UNAVAILABLE']);

/**
 * A client as a careful integration would write one: every command carries an `Idempotency-Key`, and whatever
 * does not come back with an answer (the connection refused or cut, a timeout, a 5xx, a key still in progress) is
 * sent again with the same key, to the next API process, with a growing wait, until an answer or `giveUpMs`.
 */
export class KeyedClient {
  private next = 0;

  constructor(
    private readonly apis: () => readonly string[],
    private readonly token: string,
    private readonly options: { giveUpMs?: number; requestTimeoutMs?: number; stopped?: () => boolean } = {},
  ) {}

  async command(
    path: string,
    body: unknown,
    key: string = randomUUID(),
    onAttempt?: (api: string) => void,
  ): Promise<Outcome> {
    const giveUpAt = Date.now() + (this.options.giveUpMs ?? 120_000);
    const retriedFor: string[] = [];
    let wait = 100;
    for (let attempts = 1; ; attempts++) {
      const apis = this.apis();
      const api = apis[this.next++ % apis.length];
      onAttempt?.(api);
      let reason: string;
      try {
        const response = await fetch(`${api}${path}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${this.token}`,
            'content-type': 'application/json',
            'idempotency-key': key,
          },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000),
        });
        const text = await response.text();
        const parsed = text ? JSON.parse(text) : null;
        if (response.status < 500 && !RETRYABLE_CODES.has(parsed?.code))
          return { key, path, status: response.status, body: parsed, attempts, retriedFor };
        reason = `${response.status} ${parsed?.code ?? ''}`.trim();
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause;
        reason = cause?.code ?? (error as Error).name;
      }
      retriedFor.push(reason);
      if (Date.now() + wait > giveUpAt || this.options.stopped?.())
        return { key, path, status: null, body: null, attempts, retriedFor };
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(wait * 2, 2_000);
    }
  }
}

/** Signs in through whichever API answers, retrying while none does. */
export async function signIn(
  apis: () => readonly string[],
  username: string,
  password = 'rectify-demo',
): Promise<string> {
  const giveUpAt = Date.now() + 60_000;
  for (let i = 0; ; i++) {
    const api = apis()[i % apis().length];
    try {
      const response = await fetch(`${api}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
        signal: AbortSignal.timeout(10_000),
      });
      if (response.ok) return ((await response.json()) as { accessToken: string }).accessToken;
    } catch {
      // not answering: try the next one
    }
    if (Date.now() > giveUpAt) throw new Error(`${username} could not sign in within a minute`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
