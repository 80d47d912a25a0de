import type { User } from './api';

/** Where each role starts its day: units and inspectors on what waits on them (待办). */
export function homeOf(role: User['role'] | undefined): string {
  return role === 'leader'
    ? '/cockpit'
    : role === 'admin'
      ? '/directory'
      : role === 'unit' || role === 'inspector'
        ? '/todo'
        : '/tasks';
}

/**
 * Where a user goes once signed in: the address the sign-in page was given (`?next=`), when it is a page of this app
 * other than the sign-in page itself (a path: not `//host`), else their home.
 */
export function afterSignIn(next: unknown, role: User['role']): string {
  return typeof next === 'string' && /^\/(?!\/|login)/.test(next) ? next : homeOf(role);
}
