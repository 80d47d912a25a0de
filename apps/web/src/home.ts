import type { User } from './api';

/** Where each role starts its day. */
export function homeOf(role: User['role'] | undefined): string {
  return role === 'leader' ? '/cockpit' : role === 'admin' ? '/directory' : '/tasks';
}
