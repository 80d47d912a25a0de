/** How deep a request may nest: our deepest body (a reminder ladder's offset) is 4 levels down. */
export const MAX_INPUT_DEPTH = 32;

/** Keys that name an object's prototype: refused rather than quietly dropped, so the sender learns of it. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Text PostgreSQL cannot keep as sent: NUL (text and jsonb refuse it) and a UTF-16 surrogate without its pair
 * (jsonb refuses its escape; as text the driver would quietly store U+FFFD instead).
 */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export interface InputFault {
  /** Dotted, as the validation errors name fields (`evidence.0.ref`); `root` itself for the whole value. */
  readonly field: string;
  readonly message: string;
}

/**
 * The first part of a request's input (a body, a query, a path parameter) that no validator should even be
 * shown: nested deeper than {@link MAX_INPUT_DEPTH} (class-transformer and the validation pipe recurse, and
 * would overflow the stack), a prototype key, or text that cannot be stored. Iterative, so any depth is safe.
 */
export function findHostileInput(value: unknown, root: string): InputFault | null {
  const stack: Array<{ value: unknown; path: string[]; depth: number }> = [{ value, path: [], depth: 0 }];
  const nameOf = (path: string[]) => (path.length > 0 ? path.join('.') : root);
  while (stack.length > 0) {
    const { value: node, path, depth } = stack.pop()!;
    if (typeof node === 'string') {
      if (UNSTORABLE.test(node))
        return {
          field: nameOf(path),
          message: `${nameOf(path)} must not contain NUL characters or unpaired UTF-16 surrogates`,
        };
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) {
      const outermost = nameOf(path.slice(0, 1));
      return { field: outermost, message: `${outermost} is nested more than ${MAX_INPUT_DEPTH} levels deep` };
    }
    const children: Array<{ value: unknown; path: string[]; depth: number }> = [];
    for (const [key, child] of Object.entries(node)) {
      if (UNSTORABLE.test(key))
        return {
          field: nameOf(path),
          message: `a property name in ${nameOf(path)} contains NUL characters or unpaired UTF-16 surrogates`,
        };
      const at = [...path, key];
      if (!Array.isArray(node) && PROTOTYPE_KEYS.has(key))
        return { field: nameOf(at), message: `property ${key} should not exist` };
      children.push({ value: child, path: at, depth: depth + 1 });
    }
    // Reversed onto the stack, so the first offending field in the document is the one named.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return null;
}
