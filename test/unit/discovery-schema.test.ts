// The published inventory schema (docs/discovery-schema.json) against real inventories: the
// fixtures' and a messy system's. The validator covers the part of JSON Schema the file uses.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { scan } from '../../scripts/lib/discovery/inventory.ts';
import { CONTAINER_SYSTEM, MESSY_SYSTEM, makeRepo } from '../harness/discovery-fixtures.ts';

type Schema = Record<string, unknown>;
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const schema = JSON.parse(readFileSync(path.join(projectRoot, 'docs', 'discovery-schema.json'), 'utf8')) as Schema;

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const KEYWORDS = new Set([
  '$schema',
  '$id',
  '$ref',
  '$defs',
  'title',
  'description',
  'type',
  'const',
  'enum',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'minimum',
  'maximum',
]);

/** Errors of `value` against `s` (type, const, enum, required, properties, additionalProperties, items, $ref, minimum, maximum). */
export function validate(value: unknown, s: Schema, at = '$', root: Schema = s): string[] {
  const unknown = Object.keys(s).filter((k) => !KEYWORDS.has(k));
  if (unknown.length) return [`${at}: the schema uses ${unknown.join(', ')}, which this validator does not check`];
  if (typeof s.$ref === 'string') return validate(value, (root.$defs as Record<string, Schema>)[s.$ref.replace('#/$defs/', '')], at, root);
  const errors: string[] = [];
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    const t = typeOf(value);
    if (!types.some((want) => want === t || (want === 'integer' && Number.isInteger(value)))) return [`${at}: ${t} is not ${types.join(' or ')}`];
  }
  if ('const' in s && value !== s.const) errors.push(`${at}: ${JSON.stringify(value)} is not ${JSON.stringify(s.const)}`);
  if (Array.isArray(s.enum) && !s.enum.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} is not one of ${s.enum.join(', ')}`);
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) errors.push(`${at}: ${value} < ${s.minimum}`);
    if (typeof s.maximum === 'number' && value > s.maximum) errors.push(`${at}: ${value} > ${s.maximum}`);
  }
  if (Array.isArray(value) && s.items) value.forEach((v, i) => errors.push(...validate(v, s.items as Schema, `${at}[${i}]`, root)));
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const key of (s.required ?? []) as string[]) if (!(key in obj)) errors.push(`${at}: missing ${key}`);
    for (const [key, v] of Object.entries(obj)) {
      if (props[key]) errors.push(...validate(v, props[key], `${at}.${key}`, root));
      else if (s.additionalProperties === false) errors.push(`${at}: unexpected ${key}`);
    }
  }
  return errors;
}

const repos = [makeRepo(MESSY_SYSTEM), makeRepo(CONTAINER_SYSTEM)];
after(() => repos.forEach((r) => rmSync(r, { recursive: true, force: true })));

describe('discovery: the published JSON Schema', () => {
  it('has a version, and the inventory carries the same one', () => {
    assert.equal((schema.properties as Record<string, Schema>).version.const, scan(repos[0]).version);
  });

  it('every inventory the tool makes is valid: two systems and every scored fixture', () => {
    const fixtures = path.join(projectRoot, 'test', 'fixtures', 'discovery');
    const roots = [...repos, ...readdirSync(fixtures).map((c) => path.join(fixtures, c, 'repo'))];
    for (const root of roots) assert.deepEqual(validate(JSON.parse(JSON.stringify(scan(root))), schema), [], root);
  });

  it('the validator finds what is wrong (so the check above can fail)', () => {
    const inv = JSON.parse(JSON.stringify(scan(repos[0])));
    inv.version = 1;
    inv.services[0].kind = 'daemon';
    delete inv.services[0].ports;
    inv.problems[0].extra = true;
    inv.dependencies[0].line = 0;
    assert.deepEqual(validate(inv, schema), [
      '$.version: 1 is not 2',
      '$.services[0]: missing ports',
      '$.services[0].kind: "daemon" is not one of server, program, script, container, compose, static, unsupported',
      '$.dependencies[0].line: 0 < 1',
      '$.problems[0]: unexpected extra',
    ]);
  });
});
