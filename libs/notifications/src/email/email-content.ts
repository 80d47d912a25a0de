import type { ReminderMessage } from '@zhenggai/application';
import { deadlineStatus, LINK_LABEL, reminderFacts, reminderGreeting } from '../reminder-text';

export interface EmailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** Subject, plain text and HTML of the e-mail for one reminder; every user-supplied string is escaped in the HTML. */
export function emailContent(message: ReminderMessage): EmailContent {
  const subject = message.notice
    ? `【${message.levelLabel}】${message.taskTitle}`
    : `【${message.levelLabel}】${message.taskTitle}（${deadlineStatus(message.daysToDeadline)}）`;
  const greeting = reminderGreeting(message);
  const facts = reminderFacts(message);
  const text = [
    greeting,
    '',
    ...facts.map(([label, value]) => `${label}：${value}`),
    '',
    `${LINK_LABEL}：${message.link}`,
  ].join('\n');
  const html = [
    '<!DOCTYPE html>',
    '<html lang="zh-CN"><head><meta charset="utf-8"></head><body>',
    `<p>${escapeHtml(greeting)}</p>`,
    '<ul>',
    ...facts.map(([label, value]) => `<li><strong>${escapeHtml(label)}</strong>：${escapeHtml(value)}</li>`),
    '</ul>',
    `<p><a href="${escapeHtml(message.link)}">${LINK_LABEL}</a></p>`,
    '</body></html>',
  ].join('\n');
  // A header cannot hold a line break; a title typed with one must not end the subject early.
  return { subject: subject.replace(/\s*[\r\n]+\s*/g, ' '), text, html };
}

function escapeHtml(text: string): string {
  const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  return text.replace(/[&<>"']/g, (c) => entities[c]);
}
