#!/usr/bin/env node
// A warm compiler for mutation testing (deai/mutation_judge.py): loads the npm `solc` wasm build once, then reads
// one Standard JSON input per line on stdin and writes its Standard JSON output as one line on stdout. Imports
// resolve from the working directory (the project root), like `solc.js --standard-json --base-path .`.
'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');

const solc = require(require.resolve('solc', { paths: [path.resolve(__dirname, '..', '..'), process.cwd()] }));
const root = fs.realpathSync(process.cwd());

function read(name) {
  const file = path.resolve(root, name);
  if (!file.startsWith(root + path.sep) || !fs.existsSync(file)) return { error: `File not found: ${name}` };
  return { contents: fs.readFileSync(file, 'utf8') };
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', (line) => {
  if (!line.trim()) return;
  const output = solc.compile(line, { import: read });
  process.stdout.write(output.replace(/\n/g, ' ') + '\n');
});
