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
