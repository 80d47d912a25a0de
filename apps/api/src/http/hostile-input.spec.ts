import { findHostileInput, inspectInput, MAX_INPUT_DEPTH } from './hostile-input';

describe('findHostileInput', () => {
  it('lets ordinary and odd-but-storable text through', () => {
    const body = {
      title: '蔡郢村 😀🇨🇳 a\u202eb e\u0301',
      evidence: [{ ref: '<script>alert(1)</script>' }],
      n: 1,
      ok: true,
      none: null,
    };
    expect(findHostileInput(body, 'body')).toBeNull();
  });

  it.each([
    ['NUL', { title: 'a\u0000b' }, 'title'],
    ['a lone high surrogate', { evidence: [{ ref: 'a\ud800' }] }, 'evidence.0.ref'],
    ['a lone low surrogate', { target: { unit: '\udc00x' } }, 'target.unit'],
    ['a reversed pair', { note: '\ude00\ud83d' }, 'note'],
    ['a constructor key', { target: { constructor: 'x' } }, 'target.constructor'],
    ['a prototype key', { prototype: {} }, 'prototype'],
    ['NUL in a property name', { evidence: { 'a\u0000': 1 } }, 'evidence'],
  ])('names the field holding %s', (_, body, field) => {
    expect(findHostileInput(body, 'body')?.field).toBe(field);
  });

  it('names a path parameter by its own name', () => {
    expect(findHostileInput('a\u0000b', 'reminderId')?.field).toBe('reminderId');
  });

  it(
    `refuses nesting past ${MAX_INPUT_DEPTH} levels, naming the outermost ` + 'field, at any depth without recursing',
    () => {
      const nest = (levels: number) => {
        let value: unknown = 1;
        for (let i = 0; i < levels; i++) value = [value];
        return value;
      };
      expect(findHostileInput({ levels: nest(MAX_INPUT_DEPTH - 1) }, 'body')).toBeNull();
      expect(findHostileInput({ levels: nest(MAX_INPUT_DEPTH) }, 'body')?.field).toBe('levels');
      expect(findHostileInput({ levels: nest(1_000_000) }, 'body')?.field).toBe('levels');
    },
  );

  describe('whether a value is plain JSON data', () => {
    it('is for what a JSON parser makes, objects without a prototype included', () => {
      const parsed: unknown = JSON.parse('{"a":[1,"x",null,true,{"b":[]}],"c":{"d":-2.5}}');
      expect(inspectInput(parsed, 'body')).toEqual({ fault: null, plainJson: true });
      const bare = Object.assign(Object.create(null) as object, { page: '2', status: ['open', 'overdue'] });
      expect(inspectInput(bare, 'query').plainJson).toBe(true);
      expect(inspectInput('text', 'taskId').plainJson).toBe(true);
    });

    class Unit {
      name = '王堰镇';
    }
    it.each([
      ['an array with a gap', { evidence: [, { ref: 'a' }] }],
      ['a Buffer', { target: Buffer.from('x') }],
      ['a typed array', { list: [new Uint8Array(2)] }],
      ['a Date', { at: new Date(0) }],
      ['an instance of a class', { unit: new Unit() }],
    ])('is not for a value holding %s', (_, value) => {
      expect(inspectInput(value, 'body')).toEqual({ fault: null, plainJson: false });
    });
  });
});
