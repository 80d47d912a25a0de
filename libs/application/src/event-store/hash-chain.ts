import { hash } from 'node:crypto';

/**
 * The tamper-evidence scheme every EventStore adapter stamps on the events it appends, and that
 * `verify-chain.ts` recomputes from what the store hands back. Computable by any adapter in Node; the
 * PostgreSQL adapter gets the content digest from Node and does the last step in its append function,
 * because only the database knows an `any` append's revisions and the hash it chains onto.
 *
 * - `canonicalJson(value)`: JSON with object keys sorted by code point (UTF-8 byte order), no whitespace,
 *   arrays in order, strings, numbers, booleans and null as `JSON.stringify` writes them (lone surrogates
 *   escaped). As in `JSON.stringify`, `toJSON` is honoured and `undefined`, functions and symbols are left
 *   out of objects and become `null` in arrays; at the top they become `null` too. Non-finite numbers and
 *   bigints are refused: JSON cannot hold them, so no store could give them back.
 * - `contentDigest(event)` = sha256 hex of `canonicalJson({ streamName, type, data, metadata, eventId })`:
 *   what the writer said, without the store's revision, position, clock or the hash fields themselves (which
 *   are never inside `metadata`; an adapter that must carry them there strips them before digesting).
 * - `chainHash(previousHash, revision, contentDigest)` = sha256 hex of the UTF-8 of
 *   `${previousHash ?? 'genesis'}:${revision}:${contentDigest}`: the revision is bound in here rather than in
 *   the digest so that a database can finish the hash after assigning the revision, in the same statement.
 *
 * A stream's first event (revision 0) has `previousHash` null. Changing, removing, reordering or inserting
 * an event breaks the chain at that point, unless whoever did it also recomputed every later hash of the
 * stream: the chain proves history was not edited in place, not that the whole store was not rewritten.
 * Removing a stream's last events leaves a shorter chain that still holds (the PostgreSQL adapter then
 * refuses to append onto the gap); a copy of each stream's latest hash kept elsewhere closes both holes.
 * Not covered: the global position and the store's `recordedAt` (the store assigns both after the writer
 * spoke); business time is `metadata.occurredAt`, which is.

 */

/** What an event's content digest covers. */
export interface HashedContent {
  readonly streamName: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly eventId: string;
}

/** The hash a stream's first event chains onto. */
export const GENESIS = 'genesis';

export function contentDigest(content: HashedContent): string {
  return canonicalContent(content).digest;
}

/** An event's data and metadata as canonical JSON (undefined where JSON leaves them out), and its content digest. */
export interface CanonicalContent {
  readonly data: string | undefined;
  readonly metadata: string | undefined;
  readonly digest: string;
}

/**
 * The content digest with the canonical texts it was computed from, so that an adapter can send those texts to its
 * store (they are JSON of the same values) instead of serializing each event a second time.
 */
export function canonicalContent(content: HashedContent): CanonicalContent {
  const { streamName, type, data, metadata, eventId } = content;
  const dataText = writeAt('.data', data);
  const metadataText = writeAt('.metadata', metadata);
  // canonicalJson({ streamName, type, data, metadata, eventId }): its keys in code point order, the texts above.
  let text = '{';
  if (dataText !== undefined) text += `"data":${dataText},`;
  text += `"eventId":${JSON.stringify(eventId)},`;
  if (metadataText !== undefined) text += `"metadata":${metadataText},`;
  text += `"streamName":${JSON.stringify(streamName)},"type":${JSON.stringify(type)}}`;
  return { data: dataText, metadata: metadataText, digest: sha256Hex(text) };
}

export function chainHash(previousHash: string | null, revision: number, digest: string): string {
  return sha256Hex(`${previousHash ?? GENESIS}:${revision}:${digest}`);
}

/** The canonical JSON text of a value (see the module comment). Throws a TypeError for what JSON cannot hold. */
export function canonicalJson(value: unknown): string {
  return writeAt('', value) ?? 'null';
}

/**
 * `write` of a value found at `path` (empty: the value itself), refusing what JSON cannot hold with a TypeError that
 * says where it is.
 */
function writeAt(path: string, value: unknown): string | undefined {
  try {
    return write(value);
  } catch (error) {
    if (error instanceof NotJson) throw new TypeError(`value${path}${error.path} ${error.problem}`);
    throw error;
  }
}

/**
 * What JSON cannot hold, and where below the value: the path is put together as the error goes up, so that the
 * digest of every event appended (thousands a second) builds no path strings.
 */
class NotJson extends Error {
  path = '';

  constructor(readonly problem: string) {
    super(problem);
  }
}

function write(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(key: string): unknown }).toJSON('');
  }
  switch (typeof value) {
    case 'string':
      return quoted(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new NotJson(`is ${value}: JSON has no such number`);
      return JSON.stringify(value);
    case 'bigint':
      throw new NotJson('is a bigint: JSON has no such number');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default: {
      if (value === null) return 'null';
      const object = value as object;
      const frozen = Object.isFrozen(object);
      if (frozen) {
        const remembered = rememberedTexts.get(object);
        if (remembered !== undefined) return remembered;
      }
      const text = Array.isArray(object) ? writeArray(object) : writeObject(object as Record<string, unknown>);
      if (frozen) remember(object, text);
      return text;
    }
  }
}

/**
 * The canonical texts of values frozen all the way down (`deepFreeze`): a reminder ladder is pinned on every
 * assignment, and written each time it was a good part of an assignment's digest. Only plain data frozen at every
 * depth, whose text cannot change, is remembered.
 */
const rememberedTexts = new WeakMap<object, string>();
/** Frozen values that are not plain data frozen all the way down: not looked at again. */
const notRemembered = new WeakSet<object>();

function remember(value: object, text: string): void {
  if (notRemembered.has(value)) return;
  if (plainAndFrozenThroughout(value)) rememberedTexts.set(value, text);
  else notRemembered.add(value);
}

function plainAndFrozenThroughout(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return typeof value !== 'function';
  const prototype = Object.getPrototypeOf(value);
  if (!Object.isFrozen(value) || (prototype !== Object.prototype && prototype !== Array.prototype)) return false;
  return Object.entries(Object.getOwnPropertyDescriptors(value)).every(
    ([key, property]) =>
      key !== 'toJSON' && 'value' in property && (!property.enumerable || plainAndFrozenThroughout(property.value)),
  );
}

function writeArray(array: readonly unknown[]): string {
  let text = '[';
  let index = 0;
  try {
    for (; index < array.length; index++) text += `${index > 0 ? ',' : ''}${write(array[index]) ?? 'null'}`;
  } catch (error) {
    if (error instanceof NotJson) error.path = `[${index}]${error.path}`;
    throw error;
  }
  return `${text}]`;
}

function writeObject(object: Record<string, unknown>): string {
  let text = '{';
  let key = '';
  try {
    for (key of sortedKeys(object)) {
      const written = write(object[key]);
      if (written !== undefined) text += `${text.length > 1 ? ',' : ''}${quotedKey(key)}:${written}`;
    }
  } catch (error) {
    if (error instanceof NotJson) error.path = `.${key}${error.path}`;
    throw error;
  }
  return `${text}}`;
}

/** A unit of UTF-16 at which its order and code point order part (see `byCodePoint`). */
const SURROGATE_OR_ABOVE = /[\ud800-\uffff]/;

/**
 * An object's keys in code point order. The engine's own sort (UTF-16 order, without a comparator called from
 * JavaScript) gives that order when no key holds a unit from U+D800 up, which is nearly always.
 */
function sortedKeys(object: object): string[] {
  const keys = Object.keys(object);
  if (keys.length < 2) return keys;
  keys.sort();
  for (const key of keys) if (SURROGATE_OR_ABOVE.test(key)) return keys.sort(byCodePoint);
  return keys;
}

/** What `JSON.stringify` escapes in a string: `"`, `\\`, control characters and lone surrogates (and pairs, here). */
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A string as `JSON.stringify` writes it. Most strings of an event (ids, dates, codes, Chinese text) hold nothing it
 * escapes: those are put in quotes here, which costs about half of a call of `JSON.stringify` (a call into the
 * engine's C++ for each string, twenty-odd an event).
 */
function quoted(text: string): string {
  return ESCAPED.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** Keys written as JSON strings, remembered (events' keys are few): a bounded number of them. */
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 10_000;

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < MAX_QUOTED_KEYS) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/**
 * Code point order, which is the byte order of UTF-8 (and PostgreSQL's "C" collation). JavaScript's own
 * sort compares UTF-16 units, which puts astral characters (emoji) before U+E000–U+FFFF; moving the
 * surrogates above that range corrects it.
 */
function byCodePoint(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** `hash` digests in one call, without the Hash object `createHash` makes (about 40 % less time an event). */
function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}
