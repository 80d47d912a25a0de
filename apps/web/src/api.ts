import { reactive } from 'vue';

export interface User {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly role: 'inspector' | 'unit' | 'leader' | 'admin';
  readonly unitId: string | null;
}

/** An RFC 9457 problem document from the API, as an error. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { title?: string; detail?: string; code?: string; field?: string },
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

const STORAGE_KEY = 'zhenggai.session';
const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as {
  accessToken: string;
  refreshToken: string;
  user: User;
} | null;

/** The signed-in user and tokens, kept on the device so that a unit in the field stays signed in. */
export const session = reactive<{ accessToken: string | null; refreshToken: string | null; user: User | null }>({
  accessToken: stored?.accessToken ?? null,
  refreshToken: stored?.refreshToken ?? null,
  user: stored?.user ?? null,
});

function keep(answer: { accessToken: string; refreshToken: string; user: User }): void {
  Object.assign(session, { accessToken: answer.accessToken, refreshToken: answer.refreshToken, user: answer.user });
  localStorage.setItem(STORAGE_KEY, JSON.stringify(answer));
}

export function forget(): void {
  Object.assign(session, { accessToken: null, refreshToken: null, user: null });
  localStorage.removeItem(STORAGE_KEY);
}

export async function login(username: string, password: string): Promise<User> {
  const answer = await request<{ accessToken: string; refreshToken: string; user: User }>(
    'POST',
    '/api/auth/login',
    { username, password },
    { anonymous: true },
  );
  keep(answer);
  return answer.user;
}

/** Changes the signed-in user's password; every session ends, and the answer is the new one this device keeps. */
export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  await endingSession(async () =>
    keep(
      await request<{ accessToken: string; refreshToken: string; user: User }>('POST', '/api/auth/password', {
        currentPassword,
        newPassword,
      }),
    ),
  );
}

export async function logout(): Promise<void> {
  await endingSession(async () => {
    await request('POST', '/api/auth/logout', {}).catch(() => undefined);
    forget();
  });
}

/**
 * Counts as a command until `end` is done: from the moment the server ends the session until this device has put it
 * away, no background look goes out with its token (it would be answered 401). The command alone stops counting when
 * the server answers, a moment before.
 */
async function endingSession(end: () => Promise<void>): Promise<void> {
  inFlight.commands++;
  try {
    await end();
  } finally {
    inFlight.commands--;
  }
}

let renewing: Promise<boolean> | null = null;

/** Exchanges the refresh token once for a new pair; concurrent callers share the one exchange. */
function renew(): Promise<boolean> {
  renewing ??= (async () => {
    if (!session.refreshToken) return false;
    const response = await fetch('/api/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: session.refreshToken }),
    });
    if (!response.ok) return false;
    keep(await response.json());
    return true;
  })().finally(() => (renewing = null));
  return renewing;
}

/** One call to the API with the access token, renewed once when it has expired. */
export async function raw(
  method: string,
  path: string,
  init: { body?: BodyInit; headers?: Record<string, string>; anonymous?: boolean } = {},
): Promise<Response> {
  const send = () =>
    fetch(path, {
      method,
      headers: {
        ...(init.anonymous || !session.accessToken ? {} : { authorization: `Bearer ${session.accessToken}` }),
        ...init.headers,
      },
      body: init.body,
    });
  let response = await send();
  if (response.status === 401 && !init.anonymous && (await renew())) response = await send();
  if (response.status === 401 && !init.anonymous) {
    forget();
    location.assign('/login');
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new ApiError(response.status, problem);
  }
  return response;
}

/** How many commands (anything but a GET) are on their way: a background look waits until none is. */
export const inFlight = { commands: 0 };

export async function request<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  options: { anonymous?: boolean; headers?: Record<string, string> } = {},
): Promise<T> {
  const command = method !== 'GET';
  if (command) {
    inFlight.commands++;
    for (const listener of beforeCommand) listener();
  }
  const response = await raw(method, path, {
    anonymous: options.anonymous,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).finally(() => {
    if (command) inFlight.commands--;
  });
  const text = await response.text();
  // A command may have changed what waits on the user; signing in or out did not.
  if (method !== 'GET' && !options.anonymous && !path.startsWith('/api/auth/'))
    for (const listener of afterCommand) listener();
  return (text ? JSON.parse(text) : null) as T;
}

/** Called as each command (anything but a GET) starts: a background look on its way gives way to it. */
export const beforeCommand: Array<() => void> = [];

/** Called after each command the app sends (what waits on the user may have changed). */
export const afterCommand: Array<() => void> = [];

export const get = <T = unknown>(path: string) => request<T>('GET', path);

/**
 * Reads (`read`) until `shown` says the caller's own write is there, `tries` times at most, `everyMs` apart. A list
 * read from the events after its read model lags the command's answer a moment: an event is readable only once every
 * transaction that began before it has ended.
 */
export async function readUntilShown(
  read: () => Promise<unknown>,
  shown: () => boolean,
  tries = 40,
  everyMs = 250,
): Promise<void> {
  for (let tried = 1; ; tried++) {
    await read();
    if (shown() || tried >= tries) return;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
export const post = <T = unknown>(path: string, body: unknown = {}) => request<T>('POST', path, body);

/** A query string from the set values of an object. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export interface EvidenceUpload {
  readonly id: string;
  readonly ref: string;
  readonly sha256: string;
  readonly capturedAt: string;
  readonly contentType: string;
  readonly size: number;
  readonly fileName: string | null;
}

/** Sends a file as the raw body, its type as the content type and its name URI-encoded in `X-File-Name`. */
export function sendFile(path: string, file: File, headers: Record<string, string> = {}): Promise<Response> {
  return raw('POST', path, {
    body: file,
    headers: {
      'content-type': file.type || 'application/octet-stream',
      'x-file-name': encodeURIComponent(file.name),
      ...headers,
    },
  });
}

/** Uploads one file as evidence; the capture time is the file's own time (a phone camera sets it when shooting). */
export async function uploadEvidence(file: File): Promise<EvidenceUpload> {
  const response = await sendFile('/api/evidence', file, {
    'x-captured-at': new Date(file.lastModified || Date.now()).toISOString(),
  });
  return response.json();
}

export interface EvidenceFile {
  /** An object URL of the bytes (images need the token, so <img src> cannot fetch them itself). */
  readonly url: string;
  readonly contentType: string;
  readonly capturedAt: string | null;
}

const files = new Map<string, Promise<EvidenceFile>>();

export function evidenceFile(id: string): Promise<EvidenceFile> {
  if (!files.has(id)) {
    files.set(
      id,
      raw('GET', `/api/evidence/${id}`).then(async (r) => ({
        url: URL.createObjectURL(await r.blob()),
        contentType: r.headers.get('content-type') ?? '',
        capturedAt: r.headers.get('x-captured-at'),
      })),
    );
  }
  return files.get(id)!;
}

/** Saves what the API answers as a file (the ledger exports). */
export async function download(path: string, fallbackName: string): Promise<void> {
  const response = await raw('GET', path);
  const disposition = response.headers.get('content-disposition') ?? '';
  const encoded = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1];
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await response.blob());
  link.download = encoded ? decodeURIComponent(encoded) : fallbackName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
