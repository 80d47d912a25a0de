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

/** What `inspectInput` found in a request's input. */
export interface InputInspection {
  /** The first part no validator should be shown (see `findHostileInput`), or null. */
  readonly fault: InputFault | null;
  /**
   * True when the value is JSON data as a parser makes it: strings, numbers, booleans, null, arrays without gaps and
   * objects of no class (their prototype `Object.prototype` or null). Nothing in it is binary or sparse, and, without a
   * fault, no key names a prototype: what the validation pipe would otherwise look for again (`RequestValidationPipe`).
   */
  readonly plainJson: boolean;
}

interface Visit {
  readonly value: unknown;
  readonly parent: Visit | null;
  readonly key: string;
  readonly depth: number;
}

/**
 * The first part of a request's input (a body, a query, a path parameter) that no validator should even be
 * shown: nested deeper than {@link MAX_INPUT_DEPTH} (class-transformer and the validation pipe recurse, and
 * would overflow the stack), a prototype key, or text that cannot be stored. Iterative, so any depth is safe.
 */
export function findHostileInput(value: unknown, root: string): InputFault | null {
  return inspectInput(value, root).fault;
}

/** `findHostileInput`'s walk, saying too whether the value is plain JSON data. */
export function inspectInput(value: unknown, root: string): InputInspection {
  const stack: Visit[] = [{ value, parent: null, key: '', depth: 0 }];
  const nameOf = (node: Visit | null): string => {
    const path: string[] = [];
    for (let at = node; at && at.parent; at = at.parent) path.push(at.key);
    return path.length > 0 ? path.reverse().join('.') : root;
  };
  const outermostOf = (node: Visit): Visit => {
    let at = node;
    while (at.parent && at.parent.parent) at = at.parent;
    return at;
  };
  let plainJson = true;
  const children: Visit[] = [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const { value: current, depth } = node;
    if (typeof current === 'string') {
      if (UNSTORABLE.test(current))
        return {
          fault: {
            field: nameOf(node),
            message: `${nameOf(node)} must not contain NUL characters or unpaired UTF-16 surrogates`,
          },
          plainJson,
        };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) {
      const outermost = nameOf(outermostOf(node));
      return {
        fault: { field: outermost, message: `${outermost} is nested more than ${MAX_INPUT_DEPTH} levels deep` },
        plainJson,
      };
    }
    const isArray = Array.isArray(current);
    const entries = Object.entries(current);
    if (isArray ? entries.length !== current.length : !isPlainObject(current)) plainJson = false;
    children.length = 0;
    for (const [key, child] of entries) {
      if (UNSTORABLE.test(key))
        return {
          fault: {
            field: nameOf(node),
            message: `a property name in ${nameOf(node)} contains NUL characters or unpaired UTF-16 surrogates`,
          },
          plainJson,
        };
      const next: Visit = { value: child, parent: node, key, depth: depth + 1 };
      if (!isArray && PROTOTYPE_KEYS.has(key))
        return { fault: { field: nameOf(next), message: `property ${key} should not exist` }, plainJson };
      children.push(next);
    }
    // Reversed onto the stack, so the first offending field in the document is the one named.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return { fault: null, plainJson };
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
