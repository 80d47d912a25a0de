import { ref } from 'vue';
import { ApiError } from './api';
import { calendarDate, dateTime } from './format';
import { locale, t, type MessageKey } from './i18n';
import { PROBLEM_SENTENCES, UNKNOWN_PROBLEM } from './problem-sentences';

/** The members of an API problem document the app reads; the English `detail` is never shown. */
export interface Problem {
  readonly status?: number;
  readonly code?: string;
  readonly field?: string;
  readonly retryAfterSeconds?: number;
}

/** What a person reads: a sentence, and the code in small print only when the app has no sentence for it. */
export interface ProblemMessage {
  readonly text: string;
  readonly code: string | null;
}

/** The label of each field the API names, in the app's words (the request's field names, dotted). */
const FIELD_LABELS: Readonly<Record<string, MessageKey>> = {
  deadline: 'deadline',
  requestedDeadline: 'newDeadline',
  username: 'username',
  password: 'password',
  currentPassword: 'currentPassword',
  newPassword: 'password',
  displayName: 'displayName',
  role: 'role',
  unitId: 'unit',
  leadUnitId: 'leadUnit',
  cooperatingUnitIds: 'cooperatingUnits',
  regionId: 'region',
  regionScopeId: 'scope',
  parentId: 'parentRegion',
  category: 'category',
  campaignId: 'campaign',
  title: 'title',
  description: 'description',
  severity: 'severity',
  source: 'source',
  measures: 'measures',
  plan: 'plan',
  quantityDone: 'quantityDone',
  'target.quantity': 'targetQuantity',
  'target.unit': 'targetUnit',
  note: 'note',
  report: 'report',
  reason: 'reason',
  evidence: 'evidence',
  code: 'code',
  name: 'name',
  headName: 'headName',
  share: 'share',
  time: 'time',
  weekday: 'weekday',
  'period.from': 'bulletinPeriodFrom',
  'period.to': 'bulletinPeriodTo',
  asOf: 'bulletinAsOf',
  'scope.regionId': 'bulletinScope',
  'scope.campaignId': 'campaign',
  url: 'channelUrl',
  address: 'channelEmailAddress',
  secret: 'channelSecret',
  audience: 'channelAudience',
  takes: 'channelTakes',
  quietHours: 'channelQuiet',
  'quietHours.from': 'channelQuietFrom',
  'quietHours.to': 'channelQuietTo',
  ref: 'channelsTitle',
  // Fields of a list's items, named without their index (targets[0].label and targets.0.label: targets.label).
  'targets.label': 'campaignTargetLabel',
  'targets.quantity': 'targetQuantity',
  'targets.unit': 'targetUnit',
  targets: 'campaignTargets',
  levels: 'ladderTitle',
  'levels.label': 'ladderLevel',
  'levels.level': 'ladderLevel',
  'levels.kind': 'ladderKind',
  'levels.offset': 'ladderWhen',
  'levels.offset.days': 'ladderWhen',
  'levels.offset.hours': 'ladderWhen',
  'levels.offset.hourOfDay': 'ladderHour',
  'levels.recipients': 'ladderTo',
};

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T/;

/** The problem an error carries; a failed fetch (no answer at all) is the device being offline. */
export function problemOf(error: unknown): Problem {
  if (error instanceof ApiError) return { ...error.problem, status: error.status, code: error.problem.code };
  if (error instanceof TypeError) return { code: 'OFFLINE' };
  return { code: 'INTERNAL_ERROR' };
}

function fieldLabel(field: string | undefined): string {
  const listed = field?.replace(/\[\d+\]|\.\d+(?=\.|$)/g, '');
  const key = field
    ? (FIELD_LABELS[field] ?? FIELD_LABELS[listed!] ?? FIELD_LABELS[field.split('.').pop() ?? ''])
    : undefined;
  if (key) return t(key);
  return locale.value === 'zh' ? '所填内容' : 'What you entered';
}

/** A value a person entered, as they read it: a date in Chinese, never a UUID or an ISO timestamp. */
function shownValue(value: string | undefined): string {
  const text = value?.trim() ?? '';
  if (!text || UUID.test(text) || text.length > 40) return '';
  const shown = CALENDAR_DATE.test(text) ? calendarDate(text) : INSTANT.test(text) ? dateTime(text) : text;
  return locale.value === 'zh' ? `（${shown}）` : ` (${shown})`;
}

function wait(seconds: number | undefined): string {
  const zh = locale.value === 'zh';
  if (typeof seconds !== 'number' || seconds <= 0) return zh ? '稍等片刻' : 'a moment';
  if (seconds < 60) return zh ? `${Math.ceil(seconds)}秒` : `${Math.ceil(seconds)} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return zh ? `${minutes}分钟` : `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/**
 * The sentence for a problem, with `value` (what the person entered in the problem's field) filled in, and the field
 * called `label` where the page names it in words of its own (a campaign's `deadline` is its 行动期限, not a task's
 * 整改期限).
 */
export function problemMessage(problem: Problem, value?: string, label?: string): ProblemMessage {
  const known = problem.code ? PROBLEM_SENTENCES[problem.code] : undefined;
  const template = (known ?? UNKNOWN_PROBLEM)[locale.value === 'zh' ? 0 : 1];
  const text = template
    .replace('{field}', label || fieldLabel(problem.field))
    .replace('{value}', shownValue(value))
    .replace('{wait}', wait(problem.retryAfterSeconds));
  return { text, code: known ? null : (problem.code ?? `HTTP ${problem.status ?? '?'}`) };
}

/** The toast in view (App.vue renders it), for a problem no control on the page is named by. */
export const toast = ref<ProblemMessage | null>(null);

/** Where the person acted last (the form submitted, or the card of the button pressed): the controls to look in. */
let lastScope: Element | null = null;
let inline: { control: HTMLElement; message: HTMLElement } | null = null;
let nextId = 0;

/** Remembers where the person acts, so that a refusal is shown next to the control they filled. */
export function followActions(root: Document): void {
  root.addEventListener('submit', (event) => (lastScope = event.target as Element), true);
  root.addEventListener(
    'click',
    (event) => {
      const target = event.target as Element | null;
      const scope = target?.closest?.('form, .card, section');
      if (scope) lastScope = scope;
    },
    true,
  );
}

/** Takes away the problem shown (before the next action, on leaving the page). */
export function clearProblems(): void {
  toast.value = null;
  if (inline) {
    inline.message.remove();
    inline.control.removeAttribute('aria-invalid');
    inline.control.removeAttribute('aria-describedby');
    inline = null;
  }
}

function controlFor(field: string | undefined, scope: Element | null): HTMLElement | null {
  if (!field || !scope?.isConnected) return null;
  const names = [field, field.split('.').pop() ?? field].map((name) => CSS.escape(name));
  for (const name of names) {
    const control = scope.querySelector<HTMLElement>(`[data-field="${name}"], [name="${name}"]`);
    // A file input is hidden inside the label styled as its button: the label is what shows.
    if (control && (control.closest('label') ?? control).getClientRects().length > 0) return control;
  }
  return null;
}

function enteredValue(control: HTMLElement | null): string | undefined {
  if (control instanceof HTMLSelectElement) return control.selectedOptions[0]?.text;
  if (control instanceof HTMLInputElement) return control.type === 'password' ? undefined : control.value;
  if (control instanceof HTMLTextAreaElement) return control.value;
  return undefined;
}

/** The sentence, with the value the person typed kept as theirs (`translate="no"`): a login name is not English. */
function withEntered(text: string, value: string | undefined): Array<string | Node> {
  const entered = value?.trim();
  const at = entered ? Math.max(text.indexOf(`（${entered}）`), text.indexOf(`(${entered})`)) : -1;
  if (!entered || at < 0) return [text];
  const own = document.createElement('span');
  own.translate = false;
  own.textContent = entered;
  return [text.slice(0, at + 1), own, text.slice(at + 1 + entered.length)];
}

/**
 * Shows a refusal where the person looks: under the control its `field` names, in the form or card they acted in
 * (described by it, marked invalid, scrolled into view), else as a toast fixed in the viewport.
 */
export function showProblem(error: unknown, scope: Element | null = lastScope): void {
  clearProblems();
  const problem = problemOf(error);
  const control = controlFor(problem.field, scope);
  // A control named in the page's own words (`data-label`) lends them to the sentence.
  const message = problemMessage(problem, enteredValue(control), control?.dataset.label);
  if (!control || message.code) {
    toast.value = message;
    return;
  }
  const paragraph = document.createElement('p');
  paragraph.id = `problem-${++nextId}`;
  paragraph.className = 'field-error';
  paragraph.setAttribute('role', 'alert');
  paragraph.dataset.testid = 'field-error';
  paragraph.append(...withEntered(message.text, enteredValue(control)));
  const anchor = control.closest('label') ?? control;
  anchor.after(paragraph);
  control.setAttribute('aria-invalid', 'true');
  control.setAttribute('aria-describedby', paragraph.id);
  const shown = (inline = { control, message: paragraph });
  control.addEventListener('input', () => inline === shown && clearProblems(), { once: true });
  anchor.scrollIntoView({ block: 'center' });
  control.focus({ preventScroll: true });
}
