import type { ChannelAddress, ReminderMessage, WebhookFormat } from '@zhenggai/application';
import { reminderFacts, reminderGreeting, reminderHeadline, reminderLinks } from '../reminder-text';
import { dingTalkSignedUrl, feishuSignature } from './webhook-signing';

export type WebhookAddress = Extract<ChannelAddress, { kind: 'webhook' }>;

/** WeCom rejects a markdown `content` longer than this many bytes of UTF-8. */
export const WECOM_MARKDOWN_MAX_BYTES = 4096;

/**
 * The request body for one format, without signature:
 * - `json`: every field of the message under `type: 'zhenggai.reminder'` (a hand-over: `'zhenggai.notice'`, a daily
 *   digest: `'zhenggai.digest'`), for receivers of our own;
 * - `dingtalk`: a markdown robot message;
 * - `wecom`: a markdown robot message, cut to WeCom's 4096 bytes;
 * - `feishu`: a rich-text `post` message rather than an interactive card: its text and link are separate
 *   elements, so nothing a user typed can be read as markup and no escaping is needed.
 */
export function webhookPayload(format: WebhookFormat, message: ReminderMessage): unknown {
  switch (format) {
    case 'json':
      return jsonPayload(message);
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
  const body = webhookPayload(address.format, message);
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
