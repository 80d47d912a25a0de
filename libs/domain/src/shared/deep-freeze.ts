/**
 * Freezes a value of plain data (objects, arrays, strings, numbers, booleans, null) all the way down, and answers it.
 * For values shared by many events, such as a reminder ladder pinned on every assignment: nothing can change them
 * in place, and the event store writes the canonical text of a value frozen all the way down only once
 * (`canonicalJson`, application layer).
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
