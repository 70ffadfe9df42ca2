import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyJsonPatch, JsonPatchError, maxPatchOperations } from './json-patch.ts';

/** Asserts the patch fails with `field` and `reason` (`[reason]field` in an error body). */
function refuses(document: unknown, patch: unknown, field: string, reason: string) {
  assert.throws(
    () => applyJsonPatch(document, patch),
    (error: unknown) => error instanceof JsonPatchError && error.field === field && error.reason === reason,
    `${JSON.stringify(patch).slice(0, 200)} → [${reason}]${field}`,
  );
}

describe('JSON Patch: the examples of RFC 6902 Appendix A', () => {
  const cases: Array<[string, unknown, unknown[], unknown]> = [
    ['A.1 adding an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { baz: 'qux', foo: 'bar' }],
    ['A.2 adding an array element', { foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }],
    ['A.3 removing an object member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
    ['A.4 removing an array element', { foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }], { foo: ['bar', 'baz'] }],
    ['A.5 replacing a value', { baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }], { baz: 'boo', foo: 'bar' }],
    [
      'A.6 moving a value',
      { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
      [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
      { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
    ],
    ['A.7 moving an array element', { foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }], { foo: ['all', 'cows', 'eat', 'grass'] }],
    ['A.8 testing a value: success', { baz: 'qux', foo: ['a', 2, 'c'] }, [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }], { baz: 'qux', foo: ['a', 2, 'c'] }],
    ['A.10 adding a nested member object', { foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }], { foo: 'bar', child: { grandchild: {} } }],
    ['A.11 ignoring unrecognized elements', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }], { foo: 'bar', baz: 'qux' }],
    ['A.14 ~ escape ordering', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }], { '/': 9, '~1': 10 }],
    ['A.16 adding an array value', { foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], { foo: ['bar', ['abc', 'def']] }],
  ];
  for (const [name, document, patch, expected] of cases) {
    it(name, () => {
      assert.deepEqual(applyJsonPatch(document, patch), expected);
    });
  }

  it('A.9 testing a value: error', () => {
    refuses({ baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }], 'patch[0]', 'testFailed');
  });

  it('A.12 adding to a nonexistent target', () => {
    refuses({ foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }], 'patch[0].path', 'notFound');
  });

  it('A.13 invalid JSON Patch document (a repeated "op": the parser keeps the last, "remove", whose target does not exist)', () => {
    refuses({ foo: 'bar' }, JSON.parse('[{ "op": "add", "path": "/baz", "value": "qux", "op": "remove" }]'), 'patch[0].path', 'notFound');
  });

  it('A.15 comparing strings and numbers', () => {
    refuses({ '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }], 'patch[0]', 'testFailed');
  });
});

describe('JSON Patch: semantics', () => {
  it('never changes the document it was given, even when a later operation fails', () => {
    const document = { user: { name: 'Ada', tags: ['a'] } };
    const before = structuredClone(document);
    const patched = applyJsonPatch(document, [{ op: 'add', path: '/user/tags/-', value: 'b' }, { op: 'replace', path: '/user/name', value: 'Grace' }]);
    assert.deepEqual(patched, { user: { name: 'Grace', tags: ['a', 'b'] } });
    refuses(document, [{ op: 'remove', path: '/user/name' }, { op: 'remove', path: '/user/missing' }], 'patch[1].path', 'notFound');
    assert.deepEqual(document, before);
  });

  it('replaces and adds the whole document at ""; refuses removing it', () => {
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }]), { b: 2 });
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'add', path: '', value: [1] }]), [1]);
    refuses({ a: 1 }, [{ op: 'remove', path: '' }], 'patch[0].path', 'invalid');
  });

  it('takes null as a value, and tests objects regardless of member order', () => {
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '/a', value: null }]), { a: null });
    assert.deepEqual(applyJsonPatch({ a: { x: 1, y: [1, { z: 2 }] } }, [{ op: 'test', path: '/a', value: { y: [1, { z: 2 }], x: 1 } }]), { a: { x: 1, y: [1, { z: 2 }] } });
    refuses({ a: [1, 2] }, [{ op: 'test', path: '/a', value: [2, 1] }], 'patch[0]', 'testFailed');
    refuses({ a: { x: 1 } }, [{ op: 'test', path: '/a', value: { x: 1, y: 2 } }], 'patch[0]', 'testFailed');
    refuses({ a: null }, [{ op: 'test', path: '/a', value: {} }], 'patch[0]', 'testFailed');
  });

  it('copies deeply: changing the copy leaves the original alone', () => {
    const patched = applyJsonPatch({ a: { list: [1] } }, [{ op: 'copy', from: '/a', path: '/b' }, { op: 'add', path: '/b/list/-', value: 2 }]);
    assert.deepEqual(patched, { a: { list: [1] }, b: { list: [1, 2] } });
  });

  it('moves to the same place as a no-op, and never into a child of itself', () => {
    assert.deepEqual(applyJsonPatch({ a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a' }]), { a: { b: 1 } });
    refuses({ a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/b/c' }], 'patch[0].from', 'invalid');
    refuses({ a: 1 }, [{ op: 'move', from: '/missing', path: '/b' }], 'patch[0].from', 'notFound');
    refuses({ a: 1 }, [{ op: 'copy', from: '/missing', path: '/b' }], 'patch[0].from', 'notFound');
  });

  it('drops members set to undefined, as JSON would', () => {
    refuses({ a: undefined }, [{ op: 'remove', path: '/a' }], 'patch[0].path', 'notFound');
  });
});

describe('JSON Patch: array indices', () => {
  it('inserts at the end with "-" or the length, and nowhere past it', () => {
    assert.deepEqual(applyJsonPatch({ a: [1] }, [{ op: 'add', path: '/a/1', value: 2 }]), { a: [1, 2] });
    refuses({ a: [1] }, [{ op: 'add', path: '/a/2', value: 2 }], 'patch[0].path', 'notFound');
    refuses({ a: [1] }, [{ op: 'replace', path: '/a/1', value: 2 }], 'patch[0].path', 'notFound');
    refuses({ a: [1] }, [{ op: 'remove', path: '/a/-' }], 'patch[0].path', 'notFound');
  });

  it('refuses huge, negative, signed, fractional and zero-padded indices', () => {
    refuses({ a: [1] }, [{ op: 'add', path: `/a/${'9'.repeat(400)}`, value: 2 }], 'patch[0].path', 'notFound');
    refuses({ a: [1] }, [{ op: 'add', path: '/a/4294967295', value: 2 }], 'patch[0].path', 'notFound');
    for (const index of ['-1', '+0', '1.0', '01', '1e0', ' 0', '0x0', '']) {
      refuses({ a: [1, 2] }, [{ op: 'replace', path: `/a/${index}`, value: 2 }], 'patch[0].path', 'invalid');
    }
  });
});

describe('JSON Patch: malformed operations', () => {
  it('names the operation and the member at fault', () => {
    const doc = { a: 1 };
    refuses(doc, { op: 'add' }, 'patch', 'invalid');
    refuses(doc, [{ op: 'test', path: '/a', value: 1 }, 'add'], 'patch[1]', 'invalid');
    refuses(doc, [null], 'patch[0]', 'invalid');
    refuses(doc, [{ path: '/a' }], 'patch[0].op', 'blank');
    refuses(doc, [{ op: 'delete', path: '/a' }], 'patch[0].op', 'invalid');
    refuses(doc, [{ op: ['add'], path: '/a' }], 'patch[0].op', 'invalid');
    refuses(doc, [{ op: 'remove' }], 'patch[0].path', 'blank');
    refuses(doc, [{ op: 'remove', path: 5 }], 'patch[0].path', 'invalid');
    refuses(doc, [{ op: 'remove', path: 'a' }], 'patch[0].path', 'invalid');
    refuses(doc, [{ op: 'add', path: '/b' }], 'patch[0].value', 'blank');
    refuses(doc, [{ op: 'replace', path: '/a' }], 'patch[0].value', 'blank');
    refuses(doc, [{ op: 'test', path: '/a' }], 'patch[0].value', 'blank');
    refuses(doc, [{ op: 'move', path: '/b' }], 'patch[0].from', 'blank');
    refuses(doc, [{ op: 'copy', path: '/b', from: null }], 'patch[0].from', 'invalid');
    refuses(doc, [{ op: 'test', path: '/a~2', value: 1 }], 'patch[0].path', 'invalid');
    refuses(doc, [{ op: 'test', path: '/a~', value: 1 }], 'patch[0].path', 'invalid');
    refuses(doc, Array.from({ length: maxPatchOperations + 1 }, () => ({ op: 'test', path: '/a', value: 1 })), 'patch', 'tooLong');
  });

  it('reads paths through scalars as missing', () => {
    refuses({ a: 'text' }, [{ op: 'add', path: '/a/b', value: 1 }], 'patch[0].path', 'notFound');
    refuses({ a: 'text' }, [{ op: 'test', path: '/a/0', value: 't' }], 'patch[0].path', 'notFound');
  });
});

describe('JSON Patch: hostile patches', () => {
  it('refuses __proto__, constructor and prototype anywhere in a pointer, and leaves Object.prototype alone', () => {
    for (const path of ['/__proto__', '/a/__proto__/polluted', '/constructor/prototype/polluted', '/a/constructor', '/prototype']) {
      refuses({ a: {} }, [{ op: 'add', path, value: { polluted: true } }], 'patch[0].path', 'invalid');
      refuses({ a: {} }, [{ op: 'copy', from: path, path: '/b' }], 'patch[0].from', 'invalid');
    }
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('finds only own members: inherited names do not exist', () => {
    refuses({ a: {} }, [{ op: 'test', path: '/a/toString', value: null }], 'patch[0].path', 'notFound');
    refuses({ a: {} }, [{ op: 'remove', path: '/a/hasOwnProperty' }], 'patch[0].path', 'notFound');
    refuses({ a: [] }, [{ op: 'test', path: '/a/length', value: 0 }], 'patch[0].path', 'invalid');
  });

  it('stops a copy that doubles the document before it grows out of bounds', () => {
    const doubling = Array.from({ length: 40 }, () => ({ op: 'copy', from: '/a', path: '/a/-' }));
    assert.throws(
      () => applyJsonPatch({ a: ['x'.repeat(1000)] }, doubling),
      (error: unknown) => error instanceof JsonPatchError && error.reason === 'tooLarge' && /^patch\[\d+\]$/.test(error.field),
    );
  });

  it('keeps the document at most 1000 levels deep', () => {
    let deep: unknown = 1;
    for (let level = 0; level < 600; level++) deep = { d: deep };
    const once = applyJsonPatch({ a: {} }, [{ op: 'add', path: '/a/x', value: deep }]);
    assert.ok(once);
    const path = `/a/x${'/d'.repeat(500)}`;
    refuses({ a: {} }, [{ op: 'add', path: '/a/x', value: deep }, { op: 'copy', from: '/a/x', path }], 'patch[1].path', 'tooLarge');
    refuses({ a: {} }, [{ op: 'add', path: '/a/x', value: deep }, { op: 'add', path, value: deep }], 'patch[1].path', 'tooLarge');
  });
});
