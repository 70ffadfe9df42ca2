import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { options } from '../src/config/options.ts';

describe('README', () => {
  it('lists every configuration variable with its default', async () => {
    const readme = await readFile(join(import.meta.dirname, '../../../README.md'), 'utf8');
    for (const option of Object.values(options)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${option.env}\``));
      assert.ok(row, `${option.env} has no row in the README's configuration table`);
      assert.ok(row.includes(option.defaultText), `${option.env}'s row does not show its default ${option.defaultText}`);
    }
  });

  it('gives the two set-up commands', async () => {
    const readme = await readFile(join(import.meta.dirname, '../../../README.md'), 'utf8');
    assert.ok(readme.includes('./gatehouse start'));
    assert.ok(readme.includes('./gatehouse test'));
  });
});
