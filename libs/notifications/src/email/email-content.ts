import type { ReminderMessage } from '@zhenggai/application';
import { deadlineStatus, reminderFacts, reminderGreeting, reminderHeadline, reminderLinks } from '../reminder-text';

export interface EmailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** Subject, plain text and HTML of the e-mail for one reminder; every user-supplied string is escaped in the HTML. */
export function emailContent(message: ReminderMessage): EmailContent {
  const subject = message.digest
    ? reminderHeadline(message)
    : message.notice
      ? `【${message.levelLabel}】${message.taskTitle}`
      : `【${message.levelLabel}】${message.taskTitle}（${deadlineStatus(message.daysToDeadline)}）`;
  const greeting = reminderGreeting(message);
  const facts = reminderFacts(message);
  const links = reminderLinks(message);
  const text = [
    greeting,
    '',
    ...facts.map(([label, value]) => `${label}：${value}`),
    '',
    ...links.map(([label, url]) => `${label}：${url}`),
  ].join('\n');
  const html = [
    '<!DOCTYPE html>',
    '<html lang="zh-CN"><head><meta charset="utf-8"></head><body>',
    `<p>${escapeHtml(greeting)}</p>`,
    '<ul>',
    ...facts.map(([label, value]) => `<li><strong>${escapeHtml(label)}</strong>：${escapeHtml(value)}</li>`),
    '</ul>',
    ...links.map(([label, url]) => `<p><a href="${escapeHtml(url)}">${escapeHtml(label)}</a></p>`),
    '</body></html>',
  ].join('\n');
  // A header cannot hold a line break; a title typed with one must not end the subject early.
  return { subject: subject.replace(/\s*[\r\n]+\s*/g, ' '), text, html };
}

function escapeHtml(text: string): string {
  const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  return text.replace(/[&<>"']/g, (c) => entities[c]);
}
