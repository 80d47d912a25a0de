import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { Browser, BrowserContextOptions, chromium, Download, Locator, Page, Route } from 'playwright-core';
import { webAppDir } from '../../apps/api/src/web/serve-web-app';
import { BUILT, BuiltProcess, startBuiltProcess } from './built-process';
import { eventually, HttpClient } from './http-client';
import { closedAfterThisFile } from './opened-for-this-file';
import { pageChecks } from './page-checks';
import { startTestApp, TestApp } from './test-app';
import { Infrastructure, loadConfig, startInfrastructure } from '@zhenggai/platform';
import { createTestDatabase, TestDatabase } from './test-database';

/** Debian's chromium (`.ci/run` installs it); playwright-core never downloads a browser of its own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(__dirname, '../../test-artifacts/screenshots');

export const DESKTOP: BrowserContextOptions = {
  viewport: { width: 1366, height: 900 },
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
};
export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
};

export async function launchBrowser(): Promise<Browser> {
  if (webAppDir() === null) throw new Error('dist/web is missing: run `npm run build` before the browser tests');
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/** The 待办 page once loaded: its list, or the sentence that nothing waits. */
export const TODO_SHOWN = '[data-testid=todo], [data-testid=todo-empty]';

/**
 * One role's day in the browser: a page on the running app, screenshots kept as test artifacts, and every
 * console error or uncaught exception (a Content-Security-Policy refusal among them) collected to be asserted on.
 */
export class Journey {
  readonly problems: string[] = [];
  private step = 0;

  private constructor(
    readonly page: Page,
    private readonly role: string,
    private readonly baseUrl: string,
  ) {
    page.on('console', (message) => {
      // Failed requests are named with their URL below.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        this.problems.push(`console: ${message.text()}`);
    });
    page.on('response', (response) => {
      const path = new URL(response.url()).pathname;
      // GET /api/categories answers 404 on servers without the categories directory: the app then falls back.
      if (response.status() >= 400 && path !== '/api/categories')
        this.problems.push(`${response.status()} ${response.request().method()} ${path}`);
    });
    page.on('pageerror', (error) => this.problems.push(`page: ${error.message}`));
  }

  static async start(
    browser: Browser,
    baseUrl: string,
    role: string,
    options: BrowserContextOptions = DESKTOP,
  ): Promise<Journey> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const context = await browser.newContext(options);
    context.setDefaultTimeout(15_000);
    return new Journey(await context.newPage(), role, baseUrl);
  }

  async signIn(username: string, password = 'rectify-demo'): Promise<void> {
    await this.page.goto(`${this.baseUrl}/`);
    await this.page.getByTestId('login-form').waitFor();
    await this.check('login');
    await this.page.locator('input[name=username]').fill(username);
    await this.page.locator('input[name=password]').fill(password);
    await this.page.getByTestId('login-submit').click();
    await this.page.getByTestId('who').waitFor();
    // The name shows as soon as the session is kept; the page leaves the form a moment later (on a busy machine, once
    // the next page's script has loaded). A journey goes on from there, not from the form's address.
    await this.page.waitForURL((url) => url.pathname !== '/login');
  }

  /**
   * Signs out once the page has no request in flight (one answered after the session ended would fail the page's
   * own load), and waits until the session has ended on the server (the sign-in form is back).
   */
  async signOut(): Promise<void> {
    await this.page.waitForLoadState('networkidle');
    await this.page.getByTestId('logout').click();
    await this.page.getByTestId('login-form').waitFor();
  }

  /**
   * Waits until `selector` is on the page; when it does not come, fails with what the page showed instead (its
   * address, its visible text and the failed requests so far), so that a journey that fails once on a busy machine
   * says why.
   */
  async waitToShow(selector: string, timeoutMs = 15_000): Promise<void> {
    try {
      await this.page.locator(selector).first().waitFor({ timeout: timeoutMs });
    } catch (error) {
      const text = await this.page
        .locator('body')
        .innerText({ timeout: 1_000 })
        .catch(() => '(no text)');
      throw new Error(
        `${this.role}: ${selector} not shown within ${timeoutMs} ms at ${this.page.url()}\n` +
          `the page showed: ${text.replace(/\s+/g, ' ').slice(0, 600)}\n` +
          `problems so far: ${this.problems.join('; ') || 'none'}\n${(error as Error).message.split('\n')[0]}`,
      );
    }
  }

  /**
   * Fails the step unless the page as it stands reads right to a Chinese user: no English, raw code, UUID, hash or
   * ISO timestamp in sight, every error inside the viewport, no serious or critical axe-core violation.
   */
  async check(name: string): Promise<void> {
    this.failOn(name, await pageChecks(this.page));
  }

  /**
   * A full-page screenshot, numbered in the order of the journey: test-artifacts/screenshots/<role>-<n>-<name>.png;
   * the step fails after it when the page does not pass `check` (run first, on the viewport the person sees).
   */
  async shot(name: string): Promise<string> {
    const found = await pageChecks(this.page);
    this.step++;
    const path = join(SCREENSHOT_DIR, `${this.role}-${String(this.step).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path, fullPage: true });
    this.failOn(name, found);
    return path;
  }

  private failOn(step: string, found: readonly string[]): void {
    if (found.length > 0) throw new Error(`${this.role} at ${step}:\n${found.join('\n')}`);
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }
}

/**
 * Holds the page's requests to `url` (as `page.route` takes it) on their way out until `release`: to show the page as
 * it is while an answer is late, deterministically. `asked` resolves once the first is held. Released, they go on to
 * the server (those the page gave up meanwhile do not), and later requests pass untouched.
 */
export async function holdRequests(
  page: Page,
  url: Parameters<Page['route']>[0],
): Promise<{ asked: Promise<void>; release(): Promise<void> }> {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let firstHeld!: () => void;
  const asked = new Promise<void>((resolve) => (firstHeld = resolve));
  const handled: Array<Promise<void>> = [];
  const handler = (route: Route) => {
    firstHeld();
    const done = gate.then(() => route.continue().catch(() => undefined));
    handled.push(done);
    return done;
  };
  await page.route(url, handler);
  return {
    asked,
    async release() {
      open();
      await Promise.all(handled);
      await page.unroute(url, handler);
    },
  };
}

/**
 * The page's own reads of a list (`path`: the task list, the deadline view the cockpit reads, the to-do, the inbox) ask
 * for `size` items at a time instead of a page's worth, until the answered function is called: the server answers
 * them as it would any page (its keyset cursors included), and a few items fill several.
 */
export async function smallerTaskPages(
  page: Page,
  size: number,
  path: '/api/tasks' | '/api/views/deadlines' | '/api/todo' | '/api/inbox' = '/api/tasks',
): Promise<() => Promise<void>> {
  const list = (url: URL) => url.pathname === path;
  await page.route(list, (route) =>
    route.continue({
      url: route
        .request()
        .url()
        .replace(/\b(pageSize|limit)=\d+\b/, `$1=${size}`),
    }),
  );
  return () => page.unroute(list);
}

/**
 * A file saved from a button, as a person sees it (the 整改台账, a bulletin's PDF and Word, the 问题清单 template). While
 * it is on its way (its request held here until looked at), the button reads `busy`, and neither it nor `others` can be
 * pressed; then it downloads and the button reads `idle` again. Pressed again with the network cut off, the toast says
 * so in Chinese and the button can be pressed again. Answers the download.
 */
export async function saveWithFeedback(
  page: Page,
  button: Locator,
  url: Parameters<Page['route']>[0],
  texts: { busy: string; idle: string },
  others: readonly Locator[] = [],
): Promise<Download> {
  const held = await holdRequests(page, url);
  const downloaded = page.waitForEvent('download');
  await button.click();
  await held.asked;
  await button.filter({ hasText: texts.busy }).waitFor();
  expect(await Promise.all([button, ...others].map((b) => b.isDisabled()))).toEqual(
    [button, ...others].map(() => true),
  );
  await held.release();
  const download = await downloaded;
  await button.filter({ hasText: texts.idle }).waitFor();
  expect(await button.isEnabled()).toBe(true);
  const cutOff = (route: Route) => route.abort('internetdisconnected');
  await page.route(url, cutOff);
  await button.click();
  await page.getByTestId('problem-toast').filter({ hasText: '网络连接失败，请检查网络后重试。' }).waitFor();
  expect(await button.isEnabled()).toBe(true);
  await page.unroute(url, cutOff);
  return download;
}

/** The bytes of a file the page saved. */
export async function bytesOf(download: Download): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export interface BrowserSession {
  /** Where the app answers (the built process, or the app from the sources). */
  readonly http: HttpClient;
  /** Runs `work` with infrastructure on the app's database, for what no request can do (as in the set-up). */
  withInfrastructure<T>(work: (infra: Infrastructure) => Promise<T>): Promise<T>;
  readonly journey: Journey;
  /** The app's database, for a fault injected at a step (a transaction held open). */
  readonly databaseUrl: string;
}

/** What a journey's set-up may use: the app over HTTP, and its stores for what no request can do. */
export interface JourneySetUp {
  readonly http: HttpClient;
  /** Runs `work` with infrastructure on the app's database (opened for it, closed after). */
  withInfrastructure<T>(work: (infra: Infrastructure) => Promise<T>): Promise<T>;
}

/**
 * For one test file: the app on the demo story (projections caught up, after `setUp` has added what the journey
 * needs) and one role's browser page on it; all closed after the file, whatever part of the setup failed. The app is
 * the built all-in-one process (`dist/`, as `npm start` runs it) on a database of its own, seeded by the process
 * itself: what users run, not the sources. With `sources`, it is the app from the sources in the test's process.
 */
export function browserSession(
  role: string,
  options: { context?: BrowserContextOptions; setUp?: (app: JourneySetUp) => Promise<void>; sources?: boolean } = {},
): BrowserSession {
  const held: { app?: TestApp; database?: TestDatabase; process?: BuiltProcess; browser?: Browser; journey?: Journey } =
    {};
  const http = () => held.app?.http ?? held.process!.http!;
  const caughtUp = () =>
    eventually(
      async () =>
        (await http().get('/health')).body.projections?.every((p: { lag: number }) => p.lag === 0) ? true : undefined,
      60_000,
    );
  const setUp: JourneySetUp = {
    get http() {
      return http();
    },
    withInfrastructure: async (work) => {
      if (held.app) return work(held.app.infra);
      const infra = await startInfrastructure(
        loadConfig({ DATABASE_URL: held.database!.url, JWT_SECRET: BUILT_SECRET, REMINDERS: 'off' }),
      );
      try {
        return await work(infra);
      } finally {
        await infra.close();
      }
    },
  };
  beforeAll(async () => {
    if (options.sources) {
      held.app = await startTestApp({ seed: true });
    } else {
      held.database = await createTestDatabase();
      held.process = await startBuiltProcess(BUILT.allInOne, {
        DATABASE_URL: held.database.url,
        JWT_SECRET: BUILT_SECRET,
        SEED_DEMO: 'true',
        REMINDERS: 'off',
      });
    }
    await caughtUp();
    if (options.setUp) {
      await options.setUp(setUp);
      await caughtUp();
    }
    held.browser = await closedAfterThisFile(launchBrowser(), (browser) => browser.close());
    held.journey = await Journey.start(held.browser, http().baseUrl, role, options.context);
  });
  afterAll(async () => {
    // Each part is closed even when an earlier one fails to close; the first failure is reported after.
    const failures: unknown[] = [];
    const close = async (part: (() => Promise<unknown>) | undefined) =>
      part && (await part().catch((error: unknown) => failures.push(error)));
    await close(held.journey && (() => held.journey!.close()));
    await close(held.browser && (() => held.browser!.close()));
    await close(held.app && (() => held.app!.close()));
    await close(held.process && (() => held.process!.stop()));
    await close(held.database && (() => held.database!.drop()));
    if (failures.length > 0) throw failures[0];
  });
  return {
    get http() {
      return http();
    },
    withInfrastructure: setUp.withInfrastructure,
    get databaseUrl() {
      return held.database?.url ?? held.app!.infra.databaseUrl;
    },
    get journey() {
      return held.journey!;
    },
  };
}

const BUILT_SECRET = 'browser-secret-that-is-long-enough-0123456789';

/** A CSS property of an element as the browser computed it (`position`: whether it is fixed in the viewport). */
export function computedStyle(locator: Locator, property: string): Promise<string> {
  return locator.evaluate(
    (el, name) =>
      (globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> }).getComputedStyle(el)[name],
    property,
  );
}

/** A small real PNG (a photo stand-in): a green field with a red square, `width` × `height`. */
export function samplePhoto(width = 96, height = 64): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const inSquare = x > width / 3 && x < (2 * width) / 3 && y > height / 3 && y < (2 * height) / 3;
      row.set(inSquare ? [198, 40, 40] : [46, 125, 50], 1 + x * 3);
    }
    rows.push(row);
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
