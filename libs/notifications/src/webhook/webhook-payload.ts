import type { ChannelAddress, ReminderMessage, WebhookFormat } from '@zhenggai/application';
import {
  deadlineStatus,
  LINK_LABEL,
  reminderFacts,
  reminderGreeting,
  reminderHeadline,
  reminderLinks,
} from '../reminder-text';
import { dingTalkSignedUrl, feishuSignature } from './webhook-signing';

export type WebhookAddress = Extract<ChannelAddress, { kind: 'webhook' }>;

/** WeCom rejects a markdown `content` longer than this many bytes of UTF-8. */
export const WECOM_MARKDOWN_MAX_BYTES = 4096;

/**
 * The request body for one format, without signature:
 * - `json`: every field of the message under `type: 'zhenggai.reminder'` (a hand-over: `'zhenggai.notice'`, a daily
 *   digest: `'zhenggai.digest'`), for receivers of our own;
 * - `json-batch`: the same, as the one item of `{ type: 'zhenggai.batch', messages: [...] }`, the shape in which such
 *   a receiver takes up to JSON_BATCH_MAX messages a request (`robotBundles`);
 * - `dingtalk`: a markdown robot message;
 * - `wecom`: a markdown robot message, cut to WeCom's 4096 bytes;
 * - `feishu`: a rich-text `post` message rather than an interactive card: its text and link are separate
 *   elements, so nothing a user typed can be read as markup and no escaping is needed.
 */
export function webhookPayload(format: WebhookFormat, message: ReminderMessage): unknown {
  switch (format) {
    case 'json':
      return jsonPayload(message);
    case 'json-batch':
      return jsonBatchPayload([message]);
    case 'dingtalk':
      return {
        msgtype: 'markdown',
        markdown: { title: reminderHeadline(message), text: markdownLines(message).join('\n\n') },
      };
    case 'wecom':
      return { msgtype: 'markdown', markdown: { content: wecomContent(message) } };
    case 'feishu':
      return { msg_type: 'post', content: { post: { zh_cn: feishuPost(message) } } };
    default: {
      const unknownFormat: never = format;
      throw new Error(`unknown webhook format: ${String(unknownFormat)}`);
    }
  }
}

/** The URL and body to POST, signed when the address has a secret and its robot checks signatures. */
export function webhookRequest(
  address: WebhookAddress,
  message: ReminderMessage,
  now: Date,
): { readonly url: string; readonly body: unknown } {
  return signed(address, webhookPayload(address.format, message), now);
}

/** The URL and body with the signature the address's robot checks, when it has a secret. */
function signed(address: WebhookAddress, body: unknown, now: Date): { readonly url: string; readonly body: unknown } {
  if (!address.secret) return { url: address.url, body };
  if (address.format === 'dingtalk') return { url: dingTalkSignedUrl(address.url, address.secret, now), body };
  if (address.format === 'feishu') {
    return { url: address.url, body: { ...feishuSignature(address.secret, now), ...(body as object) } };
  }
  return { url: address.url, body };
}

function jsonPayload(message: ReminderMessage) {
  return {
    type: message.digest ? 'zhenggai.digest' : message.notice ? 'zhenggai.notice' : 'zhenggai.reminder',
    deliveryId: message.deliveryId,
    taskId: message.taskId,
    taskTitle: message.taskTitle,
    level: message.level,
    levelLabel: message.levelLabel,
    kind: message.kind,
    deadline: message.deadline,
    daysToDeadline: message.daysToDeadline,
    unitName: message.unitName,
    regionName: message.regionName,
    recipientName: message.recipientName,
    link: message.link,
    recordedAt: message.recordedAt,
    ...(message.notice ? { notice: message.notice } : {}),
    ...(message.digest ? { digest: message.digest } : {}),
  };
}

/**
 * Several messages in one request to a `json-batch` receiver, in the order they were recorded, each as `json` sends
 * it alone (its own `type` and `deliveryId`): one request a batch, where a burst of notices (a campaign's tasks
 * assigned at once) would cost the receiver and the worker a request each.
 */
function jsonBatchPayload(messages: readonly ReminderMessage[]) {
  return { type: 'zhenggai.batch', messages: messages.map(jsonPayload) };
}

/** Headline, greeting and facts as markdown lines; the links come last, on one line (see wecomContent). */
function markdownLines(message: ReminderMessage): string[] {
  return [
    `#### ${escapeMarkdown(reminderHeadline(message))}`,
    escapeMarkdown(reminderGreeting(message)),
    ...reminderFacts(message).map(([label, value]) => `**${label}**：${escapeMarkdown(value)}`),
    reminderLinks(message)
      .map(([label, url]) => `[${label}](${markdownUrl(url)})`)
      .join('　'),
  ];
}

/**
 * Our markup sits mid-line, so only inline syntax can be forged: emphasis, code, links, strike-through and
 * tags (WeCom reads `<font>` and `<@userid>`). Line breaks are folded, since a new line could start a heading.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(/[\\`*_[\]<>~]/g, '\\$&');
}

/** A link target must not end the `(...)` early or contain spaces; existing %-escapes are kept. */
function markdownUrl(url: string): string {
  const codes: Record<string, string> = { ' ': '%20', '(': '%28', ')': '%29', '<': '%3C', '>': '%3E' };
  return url.replace(/[ ()<>]/g, (c) => codes[c]);
}

/** Over 4096 bytes the text before the link is cut, so the link (the point of the message) survives. */
function wecomContent(message: ReminderMessage): string {
  const lines = markdownLines(message);
  const linkLine = `\n${lines.pop()}`;
  const text = lines.join('\n');
  if (utf8Bytes(text + linkLine) <= WECOM_MARKDOWN_MAX_BYTES) return text + linkLine;
  const room = WECOM_MARKDOWN_MAX_BYTES - utf8Bytes(linkLine);
  return room > 0 ? truncateUtf8(text, room) + linkLine : truncateUtf8(text + linkLine, WECOM_MARKDOWN_MAX_BYTES);
}

/**
 * Cuts between code points (never inside a UTF-8 sequence or a surrogate pair) and marks the cut with '…';
 * a backslash left dangling by the cut would escape the mark, so it goes too.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const ellipsis = '…';
  if (maxBytes < utf8Bytes(ellipsis)) return '';
  let room = maxBytes - utf8Bytes(ellipsis);
  let kept = '';
  for (const codePoint of text) {
    room -= utf8Bytes(codePoint);
    if (room < 0) break;
    kept += codePoint;
  }
  return kept.replace(/(?<!\\)(\\\\)*\\$/, '$1') + ellipsis;
}

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function feishuPost(message: ReminderMessage) {
  const text = (line: string) => [{ tag: 'text', text: line }];
  return {
    title: reminderHeadline(message),
    content: [
      text(reminderGreeting(message)),
      ...reminderFacts(message).map(([label, value]) => text(`${label}：${value}`)),
      ...reminderLinks(message).map(([label, url]) => [{ tag: 'a', text: label, href: url }]),
    ],
  };
}

/**
 * How many notices one robot message carries at most. DingTalk and WeCom group robots take 20 messages a minute
 * (Feishu's 100): a campaign's tasks assigned to one unit, or a deadline passing for many at once, sent one message a
 * notice, were refused past the twentieth; and a group reads one list better than a hundred messages.
 */
export const ROBOT_BUNDLE_MAX = 10;

/** What a robot message carrying several notices may hold: WeCom's limit, and a message still read at a glance. */
const ROBOT_BUNDLE_MAX_BYTES = WECOM_MARKDOWN_MAX_BYTES;

/**
 * How many messages one request to a `json-batch` receiver carries at most: a batch of the ledger (up to 100
 * deliveries recorded together for one address) in one request.
 */
export const JSON_BATCH_MAX = 100;

/** A reason, in a message listing several notices, is cut to this many characters (the task's page has it whole). */
const BUNDLED_REASON_MAX = 60;

/**
 * The messages to one robot address grouped into those sent together, in their order: as indexes into `messages`.
 * Reminders and hand-over notices go together, up to ROBOT_BUNDLE_MAX a message and as many as fit in
 * ROBOT_BUNDLE_MAX_BYTES; a digest or a bulletin, and any message to a `json` receiver (one delivery a request, its id
 * in the body), goes alone. A `json-batch` receiver takes every kind of message, up to JSON_BATCH_MAX a request.
 */
export function robotBundles(format: WebhookFormat, messages: readonly ReminderMessage[]): number[][] {
  if (format === 'json-batch') {
    const indexes = messages.map((_, index) => index);
    return Array.from({ length: Math.ceil(indexes.length / JSON_BATCH_MAX) }, (_, i) =>
      indexes.slice(i * JSON_BATCH_MAX, (i + 1) * JSON_BATCH_MAX),
    );
  }
  const bundles: number[][] = [];
  let open: number[] = [];
  const close = () => {
    if (open.length > 0) bundles.push(open);
    open = [];
  };
  messages.forEach((message, index) => {
    if (format === 'json' || message.digest || message.bulletin) {
      close();
      bundles.push([index]);
      return;
    }
    if (open.length > 0) {
      const together = [...open, index].map((i) => messages[i]);
      if (open.length >= ROBOT_BUNDLE_MAX || utf8Bytes(bundleMarkdown(together)) > ROBOT_BUNDLE_MAX_BYTES) close();
    }
    open.push(index);
  });
  close();
  return bundles;
}

/**
 * The request body of one robot message carrying several notices, or of one request carrying several messages to a
 * `json-batch` receiver (see `robotBundles`), without signature.
 */
export function webhookBundlePayload(format: WebhookFormat, messages: readonly ReminderMessage[]): unknown {
  if (messages.length === 1) return webhookPayload(format, messages[0]);
  switch (format) {
    case 'json-batch':
      return jsonBatchPayload(messages);
    case 'dingtalk':
      return { msgtype: 'markdown', markdown: { title: bundleHeadline(messages), text: bundleMarkdown(messages) } };
    case 'wecom':
      return {
        msgtype: 'markdown',
        markdown: { content: truncateUtf8(bundleMarkdown(messages), WECOM_MARKDOWN_MAX_BYTES) },
      };
    case 'feishu':
      return { msg_type: 'post', content: { post: { zh_cn: bundleFeishuPost(messages) } } };
    default:
      throw new Error(`a ${format} webhook takes one message a request`);
  }
}

/** As `webhookRequest`, for several notices in one robot message. */
export function webhookBundleRequest(
  address: WebhookAddress,
  messages: readonly ReminderMessage[],
  now: Date,
): { readonly url: string; readonly body: unknown } {
  return signed(address, webhookBundlePayload(address.format, messages), now);
}

/** 【新交办】3项任务 when they are all of one kind, else 【督办通知】3条. */
function bundleHeadline(messages: readonly ReminderMessage[]): string {
  const labels = new Set(messages.map((m) => m.levelLabel));
  return labels.size === 1
    ? `【${messages[0].levelLabel}】${messages.length}项任务`
    : `【督办通知】${messages.length}条`;
}

function bundleGreeting(messages: readonly ReminderMessage[]): string {
  const names = new Set(messages.map((m) => m.recipientName));
  const whom = names.size === 1 ? `${messages[0].recipientName}：` : '';
  return `${whom}以下${messages.length}项任务有新情况，请及时处理。`;
}

/** One notice as a line of a list: what happened to which task, whose it is and by when, and why. */
function bundleEntry(message: ReminderMessage): string {
  const reason = message.notice?.reason ? `；理由：${truncateChars(message.notice.reason, BUNDLED_REASON_MAX)}` : '';
  const when = message.notice ? message.deadline : `${message.deadline}（${deadlineStatus(message.daysToDeadline)}）`;
  return `${message.unitName}；整改时限 ${when}${reason}`;
}

function bundleMarkdown(messages: readonly ReminderMessage[]): string {
  return [
    `#### ${escapeMarkdown(bundleHeadline(messages))}`,
    escapeMarkdown(bundleGreeting(messages)),
    ...messages.map(
      (m, i) =>
        `${i + 1}. **${escapeMarkdown(reminderHeadline(m))}**　${escapeMarkdown(bundleEntry(m))}　` +
        `[${LINK_LABEL}](${markdownUrl(m.link)})`,
    ),
  ].join('\n\n');
}

function bundleFeishuPost(messages: readonly ReminderMessage[]) {
  return {
    title: bundleHeadline(messages),
    content: [
      [{ tag: 'text', text: bundleGreeting(messages) }],
      ...messages.map((m, i) => [
        { tag: 'text', text: `${i + 1}. ${reminderHeadline(m)}　${bundleEntry(m)}　` },
        { tag: 'a', text: LINK_LABEL, href: m.link },
      ]),
    ],
  };
}

function truncateChars(text: string, max: number): string {
  const chars = [...text.replace(/\s*[\r\n]+\s*/g, ' ')];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max).join('')}…`;
}
