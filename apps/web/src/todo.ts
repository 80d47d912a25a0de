import { reactive } from 'vue';
import { afterCommand, beforeCommand, inFlight, session } from './api';

/** The signed-in user's 待办 counts, for the badge on the navigation. */
export const todoCounts = reactive<{ total: number; badge: number; byKind: Record<string, number> }>({
  total: 0,
  badge: 0,
  byKind: {},
});

/** Roles something can wait on: leaders and admins act on no task. */
export const hasTodo = (role: string | undefined) => role === 'unit' || role === 'inspector';

/**
 * Asks the server for the counts now (after a command, on a page change, on a timer). Quiet: a background look
 * never renews the session nor sends anyone to the sign-in page (a session that ended a moment ago, a token about to
 * be renewed by the page's own next request); the badge waits for the next refresh.
 */
export async function refreshTodoCounts(): Promise<void> {
  const token = session.accessToken;
  if (!session.user || !hasTodo(session.user.role) || !token) {
    todoCounts.total = 0;
    todoCounts.badge = 0;
    todoCounts.byKind = {};
    return;
  }
  // A command on its way may end this session (a password change, a sign-out): look again after it.
  if (inFlight.commands > 0) return;
  const look = new AbortController();
  looking.add(look);
  try {
    const response = await fetch('/api/todo/counts', {
      headers: { authorization: `Bearer ${token}` },
      signal: look.signal,
    });
    // Signed out or signed in as someone else meanwhile: the answer is not this session's.
    if (!response.ok || session.accessToken !== token) return;
    const counts = (await response.json()) as { total: number; badge: number; byKind: Record<string, number> };
    todoCounts.total = counts.total;
    todoCounts.badge = counts.badge;
    todoCounts.byKind = counts.byKind;
  } catch {
    // Offline for a moment, or given way to a command: the next refresh tries again.
  } finally {
    looking.delete(look);
  }
}

/** Background looks on their way. */
const looking = new Set<AbortController>();

// A command that starts may end the session the look was sent with (a password change): the look is dropped rather
// than answered 401 a moment later; the refresh after the command looks again.
beforeCommand.push(() => {
  for (const look of looking) look.abort();
});

// After a command the read model follows a moment later: ask again shortly after, and once more.
afterCommand.push(() => {
  setTimeout(() => void refreshTodoCounts(), 400);
  setTimeout(() => void refreshTodoCounts(), 2_000);
});
