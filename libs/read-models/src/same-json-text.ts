/**
 * Whether two values (as parsed from JSON) certainly write out as the same JSON: arrays and plain objects alike, with
 * the same keys in the same order, and the same strings, numbers, booleans and nulls. Anything else is not taken as
 * the same (the caller then writes them out). Not the to-do's `sameJson` (todo.projection.ts), which takes keys in any
 * order alike, as a state read back from jsonb has them: here the text itself is what is compared.
 */
export function sameJsonText(a: unknown, b: unknown): boolean {
  if (a === b) return a !== undefined && (typeof a !== 'number' || Number.isFinite(a));
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJsonText(a[i], b[i])) return false;
    return true;
  }
  if (Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  const otherKeys = Object.keys(y);
  if (keys.length !== otherKeys.length) return false;
  for (let i = 0; i < keys.length; i++)
    if (keys[i] !== otherKeys[i] || !sameJsonText(x[keys[i]!], y[keys[i]!])) return false;
  return true;
}
