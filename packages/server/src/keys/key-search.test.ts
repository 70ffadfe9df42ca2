import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nameMatcher } from './key-search.ts';

describe('key name matching (FusionAuth SQLTools.toSearchString)', () => {
  const names = ['Signing key', 'signing KEY 2', 'Legacy signing', 'a*b', 'axb', '100% key', 'under_score'];
  const matches = (query: string) => names.filter(nameMatcher(query));

  it('without a wildcard: contains, case-insensitive, trimmed', () => {
    assert.deepEqual(matches('signing'), ['Signing key', 'signing KEY 2', 'Legacy signing']);
    assert.deepEqual(matches('  KEY '), ['Signing key', 'signing KEY 2', '100% key']);
    assert.deepEqual(matches(''), names);
    assert.deepEqual(matches('nothing'), []);
  });

  it('with `*`: anchored at both ends, each `*` any run of characters', () => {
    assert.deepEqual(matches('signing*'), ['Signing key', 'signing KEY 2']);
    assert.deepEqual(matches('*signing'), ['Legacy signing']);
    assert.deepEqual(matches('*'), names);
    assert.deepEqual(matches('s*g*k*2'), ['signing KEY 2']);
    assert.deepEqual(matches('signing key'), ['Signing key', 'signing KEY 2']);
    assert.deepEqual(matches('signing key*'), ['Signing key', 'signing KEY 2']);
    assert.deepEqual(matches('*ing*ing'), [], 'two pieces need two occurrences');
    assert.deepEqual(matches('*g*g'), ['Legacy signing']);
    assert.deepEqual(matches('*g*g*g*g*'), []);
  });

  it('`**` is a literal `*`; `%` and `_` are plain characters', () => {
    assert.deepEqual(matches('a**b'), ['a*b']);
    assert.deepEqual(matches('*%*'), ['100% key']);
    assert.deepEqual(matches('under_score'), ['under_score']);
    assert.deepEqual(matches('under%'), []);
  });

  it('stays linear on patterns that would make a backtracking matcher explode', () => {
    const started = performance.now();
    assert.equal(nameMatcher(`${'*a'.repeat(200)}*b`)('a'.repeat(191)), false);
    assert.ok(performance.now() - started < 50);
  });
});
