// Every error message the scripts can print must be explained in docs/TROUBLESHOOTING.md: this
// fails, naming the file and line, when someone adds a message without documenting it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { collectMessages, documented, keyOf, messagesIn, readLiteral } from '../lib/error-messages.ts';

const root = path.resolve(import.meta.dirname, '..', '..');

test('every error message in scripts/, bench/ and the Makefile is documented in docs/TROUBLESHOOTING.md', () => {
  const doc = readFileSync(path.join(root, 'docs', 'TROUBLESHOOTING.md'), 'utf8');
  const messages = collectMessages(root, ['scripts', 'bench', 'Makefile']);
  // A floor, so a broken scanner that finds nothing cannot pass this test.
  assert.ok(messages.length >= 40, `only ${messages.length} messages found: the scanner is broken`);
  const missing = messages.filter((m) => !documented(doc, m.key)).map((m) => `${m.file}:${m.line}: ${m.text}\n    (document the text: ${m.key})`);
  assert.deepEqual(missing, [], `undocumented error messages:\n${missing.join('\n')}`);
});

test('the scanner reads quoted and template literals and picks the longest fixed piece', () => {
  const source = [
    "throw new UsageError(`unknown service '${name}': use one of ${names.join(', ')}`);",
    'throw new OperationError("no Docker engine answers: run make start");',
    'problems.push(`.env is missing required variable ${variable.name}: add it (see .env.example)`);',
    "return { kind: 'refuse', reason: 'Docker buildx is missing: install docker-buildx' };",
    'echo "error: Node.js 20+ with npm is required: install it" >&2',
    'throw new UsageError(`${(err as Error).message}: x`);',
  ].join('\n');
  const found = messagesIn(source, 'f.ts');
  assert.deepEqual(
    found.map((m) => [m.line, m.key]),
    [
      [1, 'unknown service'],
      [2, 'no Docker engine answers: run make start'],
      [3, '.env is missing required variable'],
      [4, 'Docker buildx is missing: install docker-buildx'],
      [5, 'Node.js 20+ with npm is required: install it'],
    ],
  );
  assert.equal(found[0].text, "unknown service '${…}': use one of ${…}");
});

test('literal reading: escapes, nested template expressions, unterminated strings', () => {
  assert.deepEqual(readLiteral("'it\\'s here'", 0)?.pieces, ["it's here"]);
  assert.deepEqual(readLiteral('`a ${x ? `y` : {z: 1}.z} b`', 0)?.pieces, ['a ', ' b']);
  assert.equal(readLiteral("'no end\n'", 0), undefined);
  assert.equal(readLiteral('name', 0), undefined);
  assert.equal(keyOf(['', ': usage: x.sh [--json]']), 'usage: x.sh [--json]');
});

test('documented() ignores line wrapping but not wording', () => {
  assert.ok(documented('the message\n  is wrapped here', 'message is wrapped'));
  assert.ok(!documented('the message is wrapped', 'message was wrapped'));
});
