import { jsonShapeProblem, MAX_JSON_DEPTH } from '../../src/platform/http/body';

const duplicateName = (text: string) => {
  const found = jsonShapeProblem(text);
  if (found) expect(found.error.detail).toBe('is sent more than once in its object');
  return found?.error.pointer;
};

describe('the shape of a JSON body: duplicate names, depth', () => {
  it.each([
    ['{"a":1,"a":2}', '/a'],
    ['{"a":1,"b":{"c":1,"c":2}}', '/b/c'],
    ['[{"x":1},{"x":1,"x":2}]', '/1/x'],
    ['{"a":"\\"a\\", \\"a\\"","a":1}', '/a'],
    ['{"a":1,"\\u0061":2}', '/a'],
    ['{"a/b":1,"a~b":2,"a/b":3}', '/a~1b'],
    ['{"a":"x\\\\","b":1,"a":2}', '/a'],
    [' { "s" : [ 1 , { "t" : true , "t" : null } ] } ', '/s/1/t'],
  ])('finds the second name in %s', (text, pointer) => {
    JSON.parse(text); // the scanner is only given valid JSON
    expect(duplicateName(text)).toBe(pointer);
  });

  it.each([
    '{"a":{"a":1},"b":[{"a":1},{"a":2}]}',
    '{"a":"b","b":"a"}',
    '{"a":"\\"b\\":1,\\"a\\":2"}',
    '{"":1,"a":[],"b":{}}',
    '[]',
    '"{\\"a\\":1,\\"a\\":2}"',
    '{"x":"\\\\"}',
  ])('finds none in %s', (text) => {
    JSON.parse(text);
    expect(duplicateName(text)).toBeUndefined();
  });

  it('allows 64 levels of nesting and refuses the 65th, naming where', () => {
    const nest = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    expect(jsonShapeProblem(nest(MAX_JSON_DEPTH))).toBeUndefined();
    expect(jsonShapeProblem(nest(MAX_JSON_DEPTH + 1))).toEqual({
      message: 'The body nests objects and arrays more than 64 levels deep.',
      error: { pointer: '/0'.repeat(MAX_JSON_DEPTH), detail: 'nests more than 64 levels deep' },
    });
    const objects = `{"d":${'{"a":'.repeat(70)}1${'}'.repeat(70)}}`;
    expect(jsonShapeProblem(objects)!.error.pointer).toBe(`/d${'/a'.repeat(MAX_JSON_DEPTH - 1)}`);
  });

  it('walks a very deep body without recursion', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    expect(jsonShapeProblem(deep)!.error.detail).toBe('nests more than 64 levels deep');
  });
});
