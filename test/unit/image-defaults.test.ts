import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseEnvExample } from '../../scripts/lib/env.ts';
import { loadManifest, stackImages } from '../../scripts/lib/images/manifest.ts';

test('.env.example names the same official image as the offline manifest for every stand-in the compose files use', () => {
  const example = new Map(parseEnvExample(readFileSync(path.join(import.meta.dirname, '../../.env.example'), 'utf8')).map((v) => [v.name, v.value]));
  const manifest = loadManifest();
  for (const image of stackImages(manifest)) assert.equal(example.get(image.variable), image.official, image.variable);
  for (const [variable, entry] of Object.entries(manifest.registryOnly)) assert.equal(example.get(variable), entry.official, variable);
});
