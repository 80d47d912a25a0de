import { reactive } from 'vue';
import { afterCommand, get, session } from './api';

/** The signed-in user's 待办 counts, for the badge on the navigation. */
export const todoCounts = reactive<{ total: number; badge: number; byKind: Record<string, number> }>({
  total: 0,
  badge: 0,
  byKind: {},
});

/** Roles something can wait on: leaders and admins act on no task. */
export const hasTodo = (role: string | undefined) => role === 'unit' || role === 'inspector';

/** Asks the server for the counts now (after a command, on a page change, on a timer); quiet on failure. */
export async function refreshTodoCounts(): Promise<void> {
  if (!session.user || !hasTodo(session.user.role)) {
    todoCounts.total = 0;
    todoCounts.badge = 0;
    todoCounts.byKind = {};
    return;
  }
  try {
    const counts = await get<{ total: number; badge: number; byKind: Record<string, number> }>('/api/todo/counts');
    todoCounts.total = counts.total;
    todoCounts.badge = counts.badge;
    todoCounts.byKind = counts.byKind;
  } catch {
    // The badge waits for the next refresh; the page itself shows any problem.
  }
}

// After a command the read model follows a moment later: ask again shortly after, and once more.
afterCommand.push(() => {
  setTimeout(() => void refreshTodoCounts(), 400);
  setTimeout(() => void refreshTodoCounts(), 2_000);
});
