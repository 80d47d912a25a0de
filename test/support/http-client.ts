/** A small HTTP client for end-to-end tests: real requests, answers with status, headers and parsed body. */
export interface HttpAnswer<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export class HttpClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | null = null,
  ) {}

  as(token: string): HttpClient {
    return new HttpClient(this.baseUrl, token);
  }

  get<T = any>(path: string, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
    return this.request<T>('GET', path, undefined, headers);
  }

  post<T = any>(path: string, body: unknown = {}, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
    return this.request<T>('POST', path, body, headers);
  }

  put<T = any>(path: string, body: unknown = {}, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
    return this.request<T>('PUT', path, body, headers);
  }

  patch<T = any>(path: string, body: unknown = {}, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
    return this.request<T>('PATCH', path, body, headers);
  }

  delete<T = any>(path: string, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
    return this.request<T>('DELETE', path, undefined, headers);
  }

  /** GET a file: its status, headers and bytes. */
  async download(path: string): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      headers: this.token ? { authorization: `Bearer ${this.token}` } : {},
    });
    return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
  }

  /** POST a raw string body, for malformed input. */
  postRaw<T = any>(path: string, raw: string, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
    return this.request<T>('POST', path, raw, headers, true);
  }

  async request<T>(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
    raw = false,
  ): Promise<HttpAnswer<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : raw ? (body as string) : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }
}

export async function login(client: HttpClient, username: string, password = 'rectify-demo'): Promise<HttpClient> {
  const answer = await client.post('/api/auth/login', { username, password });
  if (answer.status !== 200)
    throw new Error(`login ${username} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return client.as(answer.body.accessToken);
}

/** Poll until `check` returns a value (not undefined) or the time is up. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
