import { createHash } from 'node:crypto';
import { deepFreeze, DEFAULT_REMINDER_POLICY } from '@zhenggai/domain';
import { canonicalContent, canonicalJson, chainHash, contentDigest, type HashedContent } from './hash-chain';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const event: HashedContent = {
  streamName: 'rectificationTask-7f1c2a9e-4a7b-4f3e-9d61-2b8f1e0c5a10',
  type: 'RectificationTaskProgressReported',
  data: { quantityDone: 217, unit: '户', note: '拆除旧房 696 间', evidence: ['photo-1.jpg'] },
  metadata: { actor: { username: '蔡郢村委会', role: 'unit' }, occurredAt: '2018-08-01T10:00:00+08:00' },
  eventId: '0b6f4d7e-1c2a-4e5f-8a9b-3c4d5e6f7a8b',
};

describe('canonicalJson', () => {
  it('sorts object keys at every depth, keeps arrays in order, writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1, 2], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,1,2]},"b":1}');
    expect(canonicalJson({ b: 1, a: { d: [3, 1, 2], c: 'x' } })).toBe(
      canonicalJson({ a: { c: 'x', d: [3, 1, 2] }, b: 1 }),
    );
  });

  it('writes strings, numbers, booleans and null as JSON.stringify does', () => {
    const values = [
      '持之以恒 ✅ "quoted" \\ \n\t\u0001\u2028',
      0,
      -0,
      20.32,
      1e21,
      1e-7,
      123456789012345680000,
      -5e-324,
      true,
      false,
      null,
    ];
    for (const value of values) expect(canonicalJson(value)).toBe(JSON.stringify(value));
  });

  it('writes a string holding any one UTF-16 unit, or an emoji, as JSON.stringify does', () => {
    const texts = Array.from({ length: 0x10000 }, (_, unit) => `村${String.fromCharCode(unit)}a`);
    expect(texts.filter((text) => canonicalJson(text) !== JSON.stringify(text))).toEqual([]);
    expect(canonicalJson('😀 "1"')).toBe(JSON.stringify('😀 "1"'));
  });

  it('leaves out undefined members and turns undefined items into null, as the stored JSON does', () => {
    const value = { kept: 1, dropped: undefined, list: [undefined, () => 1, 2], at: new Date('2018-09-30T16:00:00Z') };
    expect(canonicalJson(value)).toBe(canonicalJson(JSON.parse(JSON.stringify(value))));
    expect(canonicalJson(value)).toBe('{"at":"2018-09-30T16:00:00.000Z","kept":1,"list":[null,null,2]}');
    expect(canonicalJson([1, , 3])).toBe('[1,null,3]');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('refuses numbers JSON cannot hold, saying where they are', () => {
    expect(() => canonicalJson({ target: { quantity: NaN } })).toThrow(/value\.target\.quantity is NaN/);
    expect(() => canonicalJson([Infinity])).toThrow(TypeError);
    expect(() => canonicalJson({ big: 10n })).toThrow(/bigint/);
  });

  it('orders keys by code point (UTF-8 byte order), not by UTF-16 unit: an emoji after U+FF01', () => {
    // UTF-16 puts the surrogate pair of 😀 (U+1F600) before ！ (U+FF01); code point order puts it after.
    expect(canonicalJson({ '😀': 1, '！': 2, 村: 3, a: 4 })).toBe('{"a":4,"村":3,"！":2,"😀":1}');
    const keys = ['😀', '！', '村', 'a', 'ab', ''];
    const written = Object.keys(JSON.parse(canonicalJson(Object.fromEntries(keys.map((key) => [key, 0])))));
    expect(written).toEqual([...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
  });

  it('writes lone surrogates as escapes, so the text hashed is always well-formed', () => {
    const lone = { '\ud800': 'x\udfff' };
    expect(canonicalJson(lone)).toBe('{"\\ud800":"x\\udfff"}');
  });
});

describe('contentDigest and chainHash', () => {
  it('is the sha256 of the canonical form of stream, type, data, metadata and id (pinned)', () => {
    const canonical =
      '{"data":{"evidence":["photo-1.jpg"],"note":"拆除旧房 696 间","quantityDone":217,"unit":"户"},' +
      '"eventId":"0b6f4d7e-1c2a-4e5f-8a9b-3c4d5e6f7a8b",' +
      '"metadata":{"actor":{"role":"unit","username":"蔡郢村委会"},"occurredAt":"2018-08-01T10:00:00+08:00"},' +
      '"streamName":"rectificationTask-7f1c2a9e-4a7b-4f3e-9d61-2b8f1e0c5a10",' +
      '"type":"RectificationTaskProgressReported"}';

    const digest = contentDigest(event);

    expect(digest).toBe(sha256(canonical));
    expect(chainHash(null, 0, digest)).toBe(sha256(`genesis:0:${digest}`));
    expect(chainHash('ab'.repeat(32), 3, digest)).toBe(sha256(`${'ab'.repeat(32)}:3:${digest}`));
  });

  it('does not depend on key order', () => {
    const reordered: HashedContent = {
      eventId: event.eventId,
      metadata: { occurredAt: '2018-08-01T10:00:00+08:00', actor: { role: 'unit', username: '蔡郢村委会' } },
      data: { evidence: ['photo-1.jpg'], unit: '户', quantityDone: 217, note: '拆除旧房 696 间' },
      type: event.type,
      streamName: event.streamName,
    };
    expect(contentDigest(reordered)).toBe(contentDigest(event));
  });

  it.each<[string, Partial<HashedContent>]>([
    ['a number in the data', { data: { ...(event.data as object), quantityDone: 218 } }],
    ['a number turned into a string', { data: { ...(event.data as object), quantityDone: '217' } }],
    ['one character of Chinese text', { data: { ...(event.data as object), unit: '间' } }],
    ['the order of an array', { data: { ...(event.data as object), evidence: ['photo-2.jpg', 'photo-1.jpg'] } }],
    ['the actor', { metadata: { ...(event.metadata as object), actor: { username: '督查员-王', role: 'unit' } } }],
    ['the business time', { metadata: { ...(event.metadata as object), occurredAt: '2018-08-02T10:00:00+08:00' } }],
    ['one more metadata member', { metadata: { ...(event.metadata as object), note: null } }],
    ['the type', { type: 'RectificationTaskClosed' }],
    ['the stream', { streamName: 'rectificationTask-00000000-0000-4000-8000-000000000000' }],
    ['the event id', { eventId: '0b6f4d7e-1c2a-4e5f-8a9b-3c4d5e6f7a8c' }],
  ])('changes with %s', (_, change) => {
    expect(contentDigest({ ...event, ...change })).not.toBe(contentDigest(event));
  });

  it('does not confuse where a value sits: data and metadata swapped differ', () => {
    expect(contentDigest({ ...event, data: event.metadata, metadata: event.data })).not.toBe(contentDigest(event));
  });

  it('changes with the revision and with the previous hash', () => {
    const digest = contentDigest(event);
    const atOne = chainHash('0'.repeat(64), 1, digest);
    expect(chainHash('0'.repeat(64), 2, digest)).not.toBe(atOne);
    expect(chainHash('1'.repeat(64), 1, digest)).not.toBe(atOne);
    expect(chainHash(null, 1, digest)).not.toBe(atOne);
  });

  it('hashes Chinese, emoji and escaped lone surrogates deterministically, each differently', () => {
    const texts = ['危房改造清零', '危房改造清零 ✅', '😀', '\ud83d', '\ude00', '\ude00\ud83d'];
    const digests = texts.map((note) => contentDigest({ ...event, data: { note } }));

    expect(texts.map((note) => contentDigest({ ...event, data: { note } }))).toEqual(digests);
    expect(new Set(digests).size).toBe(texts.length);
    expect(digests.every((digest) => /^[0-9a-f]{64}$/.test(digest))).toBe(true);
  });
});

describe('canonicalContent', () => {
  it.each<[string, Partial<HashedContent>]>([
    ['an event', {}],
    ['no data', { data: undefined }],
    ['data null and empty metadata', { data: null, metadata: {} }],
    ['no metadata', { metadata: undefined }],
    ['a type and stream that need escaping', { type: 'Said "改"\n', streamName: 'a\\b' }],
  ])('digests %s as the canonical form of the whole, from texts that are JSON of the same values', (_, change) => {
    const content = { ...event, ...change };
    const { data, metadata, digest } = canonicalContent(content);

    expect(digest).toBe(sha256(canonicalJson(content)));
    expect(digest).toBe(contentDigest(content));
    expect(data === undefined ? undefined : JSON.parse(data)).toEqual(content.data);
    expect(metadata === undefined ? undefined : JSON.parse(metadata)).toEqual(content.metadata);
  });

  it('refuses what JSON cannot hold, saying where it is in the content', () => {
    expect(() => canonicalContent({ ...event, data: { quantity: NaN } })).toThrow(
      new TypeError('value.data.quantity is NaN: JSON has no such number'),
    );
    expect(() => canonicalContent({ ...event, metadata: { at: [1n] } })).toThrow(
      new TypeError('value.metadata.at[0] is a bigint: JSON has no such number'),
    );
  });
});

describe('values frozen all the way down (a reminder ladder pinned on every assignment)', () => {
  const ladder = () => ({
    id: 'default',
    version: 2,
    levels: [{ level: 'urge', label: '催办', offset: { days: 1, hourOfDay: 9 }, recipients: ['unit_head'] }],
  });

  it('are written as their unfrozen copies are, every time', () => {
    const frozen = deepFreeze(ladder());
    const expected = canonicalJson(ladder());
    expect(canonicalJson(frozen)).toBe(expected);
    expect(canonicalJson({ reminderPolicy: frozen })).toBe(`{"reminderPolicy":${expected}}`);
    expect(contentDigest({ ...event, data: { reminderPolicy: frozen } })).toBe(
      contentDigest({ ...event, data: { reminderPolicy: ladder() } }),
    );
    expect(canonicalJson(DEFAULT_REMINDER_POLICY)).toBe(
      canonicalJson(JSON.parse(JSON.stringify(DEFAULT_REMINDER_POLICY))),
    );
  });

  it('only at every depth: a frozen object with a part that can change is written as it is now', () => {
    const offset = { days: 1 };
    const shallow = Object.freeze({ level: 'urge', offset });
    expect(canonicalJson(shallow)).toBe('{"level":"urge","offset":{"days":1}}');
    offset.days = 3;
    expect(canonicalJson(shallow)).toBe('{"level":"urge","offset":{"days":3}}');
  });

  it('only plain data: a frozen object whose getter answers differently is asked each time', () => {
    let days = 1;
    const withGetter = Object.freeze({
      get days() {
        return days;
      },
    });
    expect(canonicalJson(withGetter)).toBe('{"days":1}');
    days = 2;
    expect(canonicalJson(withGetter)).toBe('{"days":2}');
  });

  it('deepFreeze freezes every object and array inside, and answers the value', () => {
    const value = ladder();
    expect(deepFreeze(value)).toBe(value);
    expect(Object.isFrozen(value.levels[0]!.offset)).toBe(true);
    expect(Object.isFrozen(value.levels[0]!.recipients)).toBe(true);
    expect(() => {
      (value.levels[0]!.offset as { days: number }).days = 5;
    }).toThrow(TypeError);
    expect(deepFreeze('text')).toBe('text');
  });
});
