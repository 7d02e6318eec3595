#!/usr/bin/env node
/**
 * bgagent: runs the bundle (dist/cli/bgagent.js, from `npm run build:cli`) when it is there and
 * newer than every source file it was built from; otherwise runs src/cli/main.ts through tsx, so
 * `npx bgagent` works on a fresh clone and never runs stale code. BGAGENT_FROM_SOURCE=1 forces
 * the sources.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const bundle = path.join(root, 'dist', 'cli', 'bgagent.js');

function bundleIsFresh() {
  if (process.env.BGAGENT_FROM_SOURCE === '1') return false;
  let built;
  try {
    built = fs.statSync(bundle).mtimeMs;
  } catch {
    return false;
  }
  try {
    const { sources } = JSON.parse(fs.readFileSync(path.join(root, 'dist', 'cli', 'inputs.json'), 'utf8'));
    return sources.every((file) => {
      try {
        return fs.statSync(path.join(root, file)).mtimeMs <= built;
      } catch {
        return false; // a source was moved or deleted since the build
      }
    });
  } catch {
    return false;
  }
}

function fromSource() {
  try {
    require.resolve('tsx/cjs');
  } catch {
    return undefined; // an install without devDependencies: only the bundle can run
  }
  require('tsx/cjs');
  return require(path.join(root, 'src', 'cli', 'main.ts'));
}

const cli = bundleIsFresh() ? require(bundle) : (fromSource() ?? require(bundle));
cli.main(process.argv);
