import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../shared/canonical-json.js';

describe('canonicalJson (protocol A3)', () => {
  it('sorts top-level keys and adds no whitespace', () => {
    expect(canonicalJson({ b: 1, a: 'x', c: null })).toBe('{"a":"x","b":1,"c":null}');
  });

  it('gives the peer work_proof key order (peer-protocol §4)', () => {
    const payload = { type: 'work_proof', beats_verified: 1, difficulty: 2, anchor_index: 3, anchor_hash: null, from_hash: 'f', to_hash: 't', utc: 'u' };
    expect(Object.keys(JSON.parse(canonicalJson(payload)))).toEqual([
      'anchor_hash', 'anchor_index', 'beats_verified', 'difficulty', 'from_hash', 'to_hash', 'type', 'utc',
    ]);
  });

  it('leaves nested values in plain JSON.stringify order', () => {
    expect(canonicalJson({ z: { b: 1, a: 2 }, y: [3, 1] })).toBe('{"y":[3,1],"z":{"b":1,"a":2}}');
  });

  it('keeps JS number formatting and drops undefined like JSON.stringify', () => {
    expect(canonicalJson({ n: 1e300, u: undefined })).toBe('{"n":1e+300}');
  });

  it('is independent of insertion order', () => {
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('rejects non-objects', () => {
    expect(() => canonicalJson(null as unknown as object)).toThrow(TypeError);
    expect(() => canonicalJson([1, 2])).toThrow(TypeError);
  });
});
