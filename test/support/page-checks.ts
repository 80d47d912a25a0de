import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

/**
 * What a person must never meet on a page of the Chinese app (issue 20): English words, raw codes, UUIDs, hashes
 * or ISO timestamps in what they can see; an error they cannot see; a serious or critical accessibility
 * violation (axe-core). Each check answers with sentences naming the offending text or rule, empty when clean.
 */

/**
 * Latin that a Chinese page may show, in any case: file formats (导出台账 XLSX, the extension of a photo's file
 * name, a bulletin's 下载 Word), units of measure, and ID as the name of an id column. Anything else Latin is
 * English or a code leaking through.
 */
const ALLOWED_LATIN = new Set([
  'xlsx',
  'csv',
  'pdf',
  'docx',
  'word',
  'png',
  'jpg',
  'jpeg',
  'heic',
  'id',
  'km',
  'km²',
  'm²',
  'm³',
  'kg',
  'a4',
]);

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const ISO_TIMESTAMP = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g;
/** A hash or a raw id: eight or more hex digits with both letters and digits in them. */
const HEX_ID = /\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi;
/** snake_case, kebab-case or SCREAMING_CASE: a problem code, a category code, a login name with a separator. */
const RAW_CODE = /\b[A-Za-z][A-Za-z0-9]*(?:[_-][A-Za-z0-9]+)+\b/g;
const LATIN_WORD = /[A-Za-z][A-Za-z0-9]*(?:²|³)?/g;

/** A piece of text a person can see, and where: the element's test id or tag, or the attribute it is in. */
export interface SeenText {
  readonly text: string;
  readonly where: string;
}

/** The sentences for what in `seen` a Chinese reader should not meet. */
export function unreadable(seen: readonly SeenText[]): string[] {
  const found: string[] = [];
  for (const { text, where } of seen) {
    let rest = text;
    const take = (pattern: RegExp, what: string) =>
      (rest = rest.replace(pattern, (match) => {
        found.push(`${what} “${match}” in ${where}: “${text.trim().slice(0, 80)}”`);
        return ' ';
      }));
    take(UUID, 'a UUID');
    take(ISO_TIMESTAMP, 'an ISO timestamp');
    take(HEX_ID, 'a hash or raw id');
    take(RAW_CODE, 'a raw code');
    rest.replace(LATIN_WORD, (word) => {
      if (!ALLOWED_LATIN.has(word.toLowerCase()) && !/^[A-Za-z]$/.test(word))
        found.push(`English “${word}” in ${where}: “${text.trim().slice(0, 80)}”`);
      return ' ';
    });
  }
  return found;
}

/** The few DOM members the checks use (the test project compiles without the DOM library). */
interface PageElement {
  readonly tagName: string;
  readonly parentElement: PageElement | null;
  closest(selector: string): PageElement | null;
  checkVisibility(options: object): boolean;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { top: number; left: number; bottom: number; right: number; width: number };
  querySelectorAll(selector: string): Iterable<PageElement>;
}
interface PageText {
  readonly parentElement: PageElement | null;
  readonly nodeValue: string | null;
}
interface PageGlobals {
  readonly innerWidth: number;
  readonly innerHeight: number;
  readonly document: {
    readonly title: string;
    readonly body: PageElement;
    readonly documentElement: PageElement;
    createTreeWalker(root: PageElement, show: number): { nextNode(): PageText | null };
  };
}

/**
 * Text that is not the page's language by design is left out: a part marked `translate="no"` (a login name to
 * type, the code under an unknown problem's fallback sentence) or in another `lang` (the 中文/English switch; the
 * whole page once a visitor chose English).
 */
const NOT_SCANNED = 'script, style, noscript, template, [translate=no], [lang]:not([lang|=zh])';

/** Every text a person can see on the page: text nodes of visible elements, and their title, placeholder, labels. */
function seenOnPage(page: Page): Promise<SeenText[]> {
  return page.evaluate((skip) => {
    const { document } = globalThis as unknown as PageGlobals;
    const where = (el: PageElement) =>
      el.closest('[data-testid]')?.getAttribute('data-testid') ?? el.tagName.toLowerCase();
    const visible = (el: PageElement) =>
      (el.closest('select') ?? el).checkVisibility({ visibilityProperty: true, opacityProperty: true });
    const seen: SeenText[] = [];
    if (!document.documentElement.closest(skip)) seen.push({ text: document.title, where: 'the title' });
    const walker = document.createTreeWalker(document.body, 4 /* NodeFilter.SHOW_TEXT */);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || !node.nodeValue?.trim() || parent.closest(skip) || !visible(parent)) continue;
      seen.push({ text: node.nodeValue, where: where(parent) });
    }
    for (const el of document.body.querySelectorAll('[title], [placeholder], [aria-label], [alt]')) {
      if (el.closest(skip) || !visible(el)) continue;
      for (const name of ['title', 'placeholder', 'aria-label', 'alt']) {
        const value = el.getAttribute(name);
        if (value?.trim()) seen.push({ text: value, where: `${name} of ${where(el)}` });
      }
    }
    return seen;
  }, NOT_SCANNED);
}

/** How the app shows a refusal or a failure: the toast, a message under a field, an alert card, a login error. */
const ERROR_SELECTOR = '[role=alert], [data-testid=problem-toast], .field-error, .error';

/** The errors on the page that are not wholly inside the viewport (scrolled away, cut off, off to a side). */
async function errorsOutOfView(page: Page): Promise<string[]> {
  return page.evaluate((selector) => {
    const { document, innerWidth, innerHeight } = globalThis as unknown as PageGlobals;
    const outside: string[] = [];
    for (const el of document.body.querySelectorAll(selector)) {
      if (!el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
      const box = el.getBoundingClientRect();
      if (box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth) {
        const name = el.getAttribute('data-testid') ?? el.getAttribute('class') ?? el.tagName.toLowerCase();
        const at = [box.top, box.left, box.bottom, box.right].map(Math.round).join(', ');
        outside.push(
          `the error ${name} is outside the ${innerWidth}×${innerHeight} viewport (top, left, bottom, right: ${at})`,
        );
      }
    }
    return outside;
  }, ERROR_SELECTOR);
}

let axeSource: string | undefined;

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: ReadonlyArray<{ readonly target: readonly unknown[] }>;
}

/**
 * axe-core's serious and critical violations. Its source is evaluated in the page (the app's Content-Security-
 * Policy refuses an added script tag), once a document.
 */
async function accessibilityViolations(page: Page): Promise<string[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const hasAxe = () => page.evaluate(() => 'axe' in globalThis);
  if (!(await hasAxe())) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const { axe } = globalThis as unknown as {
      axe: { run(options: object): Promise<{ violations: AxeViolation[] }> };
    };
    return (await axe.run({ resultTypes: ['violations'] })).violations;
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `axe ${violation.impact} ${violation.id} (${violation.help}) at ${violation.nodes
          .slice(0, 5)
          .map((node) => node.target.join(' '))
          .join('; ')}`,
    );
}

/** Everything the checks find wrong with the page as it stands, each sentence led by the page's path. */
export async function pageChecks(page: Page): Promise<string[]> {
  const path = new URL(page.url()).pathname;
  const found = [
    ...unreadable(await seenOnPage(page)),
    ...(await errorsOutOfView(page)),
    ...(await accessibilityViolations(page)),
  ];
  return found.map((sentence) => `${path}: ${sentence}`);
}
