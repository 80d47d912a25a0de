import { session } from './api';

/** A message in the in-app inbox (消息): a reminder or escalation sent to the signed-in user. */
export interface InboxMessage {
  readonly taskId: string;
  readonly reminderId: string;
  readonly kind: string;
  readonly label: string;
  readonly title: string | null;
  readonly deadline: string;
  readonly recordedAt: string;
  readonly readAt: string | null;
}

export interface InboxPage {
  readonly items: InboxMessage[];
  readonly unreadCount: number;
  /** Where the older messages start (`before=`), null when there are none. */
  readonly next: string | null;
}

/**
 * The messages read in this tab and when (by user, task and reminder), until the inbox's read model says so too: it
 * lags the command's answer a moment, and a message just opened must not come back unread, nor the count with it.
 */
const justRead = new Map<string, string>();

const keyOf = (m: Pick<InboxMessage, 'taskId' | 'reminderId'>) =>
  `${session.user?.id ?? ''}/${m.taskId}/${m.reminderId}`;

/** Remembers that the signed-in user read `message` at `readAt` (the answer to reading it). */
export function readJustNow(message: Pick<InboxMessage, 'taskId' | 'reminderId'>, readAt: string): void {
  justRead.set(keyOf(message), readAt);
}

/**
 * The page as the user's own reads since have left it: a message read in this tab that the read model still lists as
 * unread is shown read, and not counted; once the read model has it read, it is forgotten here.
 */
export function withOwnReads(page: InboxPage): InboxPage {
  let unreadCount = page.unreadCount;
  const items = page.items.map((message) => {
    const key = keyOf(message);
    const readAt = justRead.get(key);
    if (readAt === undefined) return message;
    if (message.readAt) {
      justRead.delete(key);
      return message;
    }
    unreadCount--;
    return { ...message, readAt };
  });
  return { ...page, items, unreadCount: Math.max(0, unreadCount) };
}
