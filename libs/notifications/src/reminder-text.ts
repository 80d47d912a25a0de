import type { ReminderMessage } from '@zhenggai/application';

/**
 * The Chinese wording every channel shares, so that a robot card and an e-mail about the same reminder
 * read alike. Formats only decide how to mark these words up.
 */

/** 还剩N天 / 今天到期 / 已逾期N天, from the days left to the deadline. */
export function deadlineStatus(daysToDeadline: number): string {
  if (daysToDeadline > 0) return `还剩${daysToDeadline}天`;
  if (daysToDeadline === 0) return '今天到期';
  return `已逾期${-daysToDeadline}天`;
}

/** 【督办】蔡郢村危房改造 已逾期3天: the level, the task and where it stands, at a glance. */
export function reminderHeadline(message: ReminderMessage): string {
  if (message.digest) return `【${message.levelLabel}】${message.digest.date} ${message.regionName ?? '全部地区'}`;
  if (message.bulletin) return `【${message.levelLabel}】${message.bulletin.title}`;
  if (message.notice) return `【${message.levelLabel}】${message.taskTitle}`;
  return `【${message.levelLabel}】${message.taskTitle} ${deadlineStatus(message.daysToDeadline)}`;
}

/** The facts under the headline, as label and value, in the order they are shown. */
export function reminderFacts(message: ReminderMessage): ReadonlyArray<readonly [label: string, value: string]> {
  if (message.digest) return message.digest.figures.map((f) => [f.label, `${f.count}项`] as const);
  if (message.bulletin) {
    const { scope, asOf, period } = message.bulletin;
    return [['通报范围', scope] as const, ['数据截至', asOf] as const, ['统计期间', period] as const];
  }
  return [
    ['责任单位', message.unitName],
    ...(message.regionName ? [['所属地区', message.regionName] as const] : []),
    ['整改时限', `${message.deadline}（${deadlineStatus(message.daysToDeadline)}）`],
    ...(message.notice?.reason ? [['理由', message.notice.reason] as const] : []),
  ];
}

/** The words before the facts: whom the message is for and what is asked of them. */
export function reminderGreeting(message: ReminderMessage): string {
  if (message.digest) {
    const where = message.regionName ?? '全部地区';
    return `${message.recipientName}：${where}截至${message.digest.date} ${message.digest.asOf}的督办情况如下。`;
  }
  if (message.bulletin) return `${message.recipientName}：《${message.bulletin.title}》已印发，请登录系统查看和下载。`;
  if (message.notice) return `${message.recipientName}：${message.notice.what}，${message.notice.next}。`;
  const ask = message.daysToDeadline < 0 ? '请尽快完成整改并反馈' : '请按时完成整改';
  return `${message.recipientName}：任务「${message.taskTitle}」${deadlineStatus(message.daysToDeadline)}，${ask}。`;
}

export const LINK_LABEL = '查看任务';

/** The links under the facts, as label and address: the task's, or a digest's one per figure. */
export function reminderLinks(message: ReminderMessage): ReadonlyArray<readonly [label: string, url: string]> {
  if (message.digest) return message.digest.figures.map((f) => [`查看${f.label}`, f.link] as const);
  if (message.bulletin) return [['查看通报', message.link]];
  return [[LINK_LABEL, message.link]];
}
