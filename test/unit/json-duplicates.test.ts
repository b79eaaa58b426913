import { duplicateName } from '../../src/platform/http/body';

describe('duplicate names in a JSON body', () => {
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

  it('walks a deeply nested body without recursion', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    expect(duplicateName(deep)).toBeUndefined();
    const deepObjects = `${'{"a":'.repeat(50_000)}{"b":1,"b":2}${'}'.repeat(50_000)}`;
    expect(duplicateName(deepObjects)).toBe(`${'/a'.repeat(50_000)}/b`);
  });
});
