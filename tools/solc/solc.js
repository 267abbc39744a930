#!/usr/bin/env node
// A solc-compatible command line over the npm `solc` package (the official compiler built to wasm).
//
// Native solc cannot be downloaded on offline machines, but py-solc-x, ape-solidity and slither
// (crytic-compile) only need a program that behaves like solc on the command line. This is that
// program. Supported: --version, --help, --standard-json [file], --combined-json, --base-path,
// --include-path (repeatable), --allow-paths, remappings (prefix=target), --optimize,
// --optimize-runs, --evm-version, --via-ir, --pretty-json, source files and `-` for stdin; and --serve (one Standard
// JSON input per line, for mutation testing).
// Anything else is rejected the way solc rejects it: "Error: ..." on stderr and exit code 1.
// DEAI_SOLC_JOBS=N (default: the number of CPUs) compiles a Standard JSON input in N processes at once, with the
// same output (see parallelParts).
'use strict';

const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const EXIT_OK = 0;
const EXIT_FAILURE = 1;

/** Writes the whole buffer to a file descriptor, retrying on EAGAIN, so no output is ever cut. */
function writeAll(fd, text) {
  const buffer = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += fs.writeSync(fd, buffer, offset, buffer.length - offset);
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

class UsageError extends Error {}

function loadCompiler() {
  // Resolve the compiler from the project's own node_modules, whatever the working directory.
  return require(require.resolve('solc', { paths: [PROJECT_ROOT, process.cwd()] }));
}

function nativeVersionString(solc) {
  // solc-js reports e.g. "0.8.30+commit.73712a01.Emscripten.clang", the same shape as native solc.
  return solc.version();
}

const HELP = `solc, the Solidity commandline compiler (wasm build from npm, project front end).

Usage: solc [options] [input_file...]
       solc --standard-json [input.json]

Options:
  --version               Print the compiler version and exit.
  --help                  Print this help and exit.
  --standard-json         Read Standard JSON input from the file or stdin, write Standard JSON output.
  --combined-json KEYS    Comma-separated outputs: abi,ast,bin,bin-runtime,srcmap,srcmap-runtime,
                          userdoc,devdoc,hashes,metadata,opcodes,asm,storage-layout,compact-format.
  --base-path PATH        Root of the source tree for resolving imports.
  --include-path PATH     Extra source root (repeatable).
  --allow-paths P1,P2     Extra directories imports may be read from.
  --optimize              Enable the optimizer.
  --optimize-runs N       Optimizer runs (default 200).
  --evm-version NAME      Target EVM version.
  --via-ir                Compile through the IR pipeline.
  --pretty-json           Indent JSON output.
  --serve                 Project extension: read one Standard JSON input per line on stdin and write each output
                          as one line, the compiler staying loaded (for deai/mutation_judge.py).
  prefix=target           Import remapping.
`;

function parseArguments(argv) {
  const options = {
    standardJson: false,
    combinedJson: null,
    basePath: null,
    includePaths: [],
    allowPaths: [],
    remappings: [],
    inputs: [],
    optimize: false,
    optimizeRuns: 200,
    evmVersion: null,
    viaIR: false,
    prettyJson: false,
    serve: false,
    version: false,
    help: false,
  };
  const takesValue = new Set([
    '--combined-json', '--base-path', '--include-path', '--allow-paths', '--optimize-runs', '--evm-version',
  ]);
  for (let i = 0; i < argv.length; i += 1) {
    let arg = argv[i];
    let value = null;
    if (arg.startsWith('--') && arg.includes('=')) {
      [arg, value] = [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)];
    }
    if (takesValue.has(arg) && value === null) {
      i += 1;
      if (i >= argv.length) throw new UsageError(`the required argument for option '${arg}' is missing`);
      value = argv[i];
    }
    switch (arg) {
      case '--version': options.version = true; break;
      case '--help': options.help = true; break;
      case '--standard-json': options.standardJson = true; break;
      case '--combined-json': options.combinedJson = value.split(',').filter(Boolean); break;
      case '--base-path': options.basePath = value; break;
      case '--include-path': options.includePaths.push(value); break;
      case '--allow-paths': options.allowPaths.push(...value.split(',').filter(Boolean)); break;
      case '--optimize': options.optimize = true; break;
      case '--optimize-runs': {
        const runs = Number(value);
        if (!Number.isInteger(runs) || runs < 0) throw new UsageError(`the argument ('${value}') for option '--optimize-runs' is invalid`);
        options.optimizeRuns = runs;
        break;
      }
      case '--evm-version': options.evmVersion = value; break;
      case '--via-ir': options.viaIR = true; break;
      case '--pretty-json': options.prettyJson = true; break;
      case '--serve': options.serve = true; break;
      case '--no-color': case '--color': break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unrecognised option '${argv[i]}'`);
        if (arg.includes('=') && !fs.existsSync(arg)) {
          const [prefixWithContext, target] = [arg.slice(0, arg.lastIndexOf('=')), arg.slice(arg.lastIndexOf('=') + 1)];
          const colon = prefixWithContext.indexOf(':');
          options.remappings.push(colon >= 0
            ? { context: prefixWithContext.slice(0, colon), prefix: prefixWithContext.slice(colon + 1), target }
            : { context: '', prefix: prefixWithContext, target });
        } else {
          options.inputs.push(arg);
        }
    }
  }
  if (options.includePaths.length > 0 && options.basePath === null) {
    throw new UsageError('--include-path option requires a non-empty base path.');
  }
  return options;
}

/** Resolves imports the way native solc does: base path first, then each include path, inside allowed directories. */
class FileReader {
  constructor(options, extraAllowed) {
    this.basePath = path.resolve(options.basePath || '.');
    this.includePaths = options.includePaths.map((p) => path.resolve(p));
    this.allowed = [this.basePath, ...this.includePaths, ...options.allowPaths.map((p) => path.resolve(p)), ...extraAllowed]
      .map((p) => (fs.existsSync(p) ? fs.realpathSync(p) : p));
  }

  isAllowed(file) {
    const real = fs.realpathSync(file);
    return this.allowed.some((dir) => real === dir || real.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep));
  }

  read(sourceUnitName) {
    const candidates = path.isAbsolute(sourceUnitName)
      ? [sourceUnitName]
      : [this.basePath, ...this.includePaths].map((root) => path.join(root, sourceUnitName));
    let outside = false;
    for (const candidate of candidates) {
      if (!fs.existsSync(candidate) || !fs.statSync(candidate).isFile()) continue;
      if (!this.isAllowed(candidate)) { outside = true; continue; }
      return { contents: fs.readFileSync(candidate, 'utf8') };
    }
    if (outside) {
      return { error: `File outside of allowed directories. The following are allowed: ${this.allowed.join(', ')}.` };
    }
    return { error: 'File not found. Searched the following locations: ' + candidates.map((c) => `"${c}"`).join(', ') + '.' };
  }

  /** Source unit name of a file given on the command line, relative to the base path when inside it. */
  sourceUnitName(file) {
    const absolute = path.resolve(file);
    for (const root of [this.basePath, ...this.includePaths]) {
      const relative = path.relative(root, absolute);
      if (!relative.startsWith('..') && !path.isAbsolute(relative)) return relative.split(path.sep).join('/');
    }
    return absolute;
  }
}

function readStdin() {
  const chunks = [];
  const buffer = Buffer.alloc(1 << 16);
  for (;;) {
    let bytes;
    try {
      bytes = fs.readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      if (error.code === 'EAGAIN') { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); continue; }
      if (error.code === 'EOF') break;
      throw error;
    }
    if (bytes === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, bytes)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function compileStandardJson(solc, inputText, reader) {
  return solc.compile(inputText, { import: (name) => reader.read(name) });
}

// Parallel Standard JSON (a project extension; the output is the one a single compile gives). The wasm compiler
// uses one core, and `ape compile` hands it every source in one input: about 40 s, the marketplace's via-IR code a
// quarter of it. When the input selects outputs file by file (as Ape's does), the files are split by folder into
// DEAI_SOLC_JOBS parts (default: the number of CPUs), heaviest folder first into the lightest part, and each part is
// compiled by a child process (this program with DEAI_SOLC_JOBS=1) given the same sources with only its part's
// outputs selected. A folder is never split: a system's files share code (ComputeMarketplace embeds the creation code
// of its module and registry, which would otherwise be generated twice). A folder's weight, an estimate of its code
// generation: the text (no comments, no whitespace) of its files that declare a contract that is not abstract;
// interfaces, libraries and abstract bases generate no code of their own.
function codeWeight(source) {
  if (!source || typeof source.content !== 'string') return 0;
  const text = source.content.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  if (!/(^|[;}\s])contract\s+\w+/.test(text) || /\babstract\s+contract\b/.test(text)) return 0;
  return text.replace(/\s+/g, '').length;
}

function parallelParts(input) {
  const requested = Number(process.env.DEAI_SOLC_JOBS || (os.availableParallelism ? os.availableParallelism() : os.cpus().length));
  const selection = input && input.settings && input.settings.outputSelection;
  if (!(requested > 1) || !selection || typeof selection !== 'object' || '*' in selection) return null;
  const folders = new Map();
  for (const file of Object.keys(selection)) {
    const folder = path.posix.dirname(file);
    const entry = folders.get(folder) || { files: [], size: 0 };
    entry.files.push(file);
    entry.size += codeWeight(input.sources && input.sources[file]);
    folders.set(folder, entry);
  }
  if (folders.size < 2) return null;
  const parts = Array.from({ length: Math.min(requested, folders.size) }, () => ({ files: [], size: 0 }));
  const heaviestFirst = [...folders.entries()].sort((a, b) => b[1].size - a[1].size || (a[0] < b[0] ? -1 : 1));
  for (const [, folder] of heaviestFirst) {
    const lighter = (a, b) => a.size < b.size || (a.size === b.size && a.files.length < b.files.length);
    const lightest = parts.reduce((min, part) => (lighter(part, min) ? part : min));
    lightest.files.push(...folder.files);
    lightest.size += folder.size;
  }
  return parts.map((part) => ({
    ...input,
    settings: { ...input.settings, outputSelection: Object.fromEntries(part.files.map((f) => [f, selection[f]])) },
  }));
}

/** Compiles each part in a child process at once; resolves to their outputs (parsed), in order. */
function compileParts(parts, argv, inputFile) {
  const passed = argv.filter((arg) => arg !== '-' && arg !== inputFile); // each child reads its part on stdin
  return Promise.all(parts.map((part) => new Promise((resolve, reject) => {
    const child = childProcess.spawn(process.execPath, [__filename, ...passed], {
      env: { ...process.env, DEAI_SOLC_JOBS: '1' }, stdio: ['pipe', 'pipe', 'inherit'],
    });
    const chunks = [];
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) { reject(new Error(`a parallel solc part exited with code ${code}`)); return; }
      resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    });
    child.stdin.end(JSON.stringify(part));
  })));
}

/** Object with its keys in solc's order (its std::map: byte order of the names). Order matters: two contracts of
 *  one name in two files are both in the output, and a reader may keep the last. */
function sortedKeys(object) {
  return Object.fromEntries(Object.keys(object).sort().map((key) => [key, object[key]]));
}

/** One Standard JSON output from the parts' outputs, as one compile orders it: every part's contracts, each
 *  source's id and (from the part that selected it) AST, and each diagnostic once (every part reports the
 *  analysis's warnings and errors). */
function mergeOutputs(outputs) {
  const merged = {};
  const seen = new Set();
  for (const output of outputs) {
    for (const error of output.errors || []) {
      const key = JSON.stringify([error.severity, error.errorCode, error.formattedMessage || error.message]);
      if (seen.has(key)) continue;
      seen.add(key);
      (merged.errors = merged.errors || []).push(error);
    }
    if (output.sources) merged.sources = merged.sources || {};
    if (output.contracts) merged.contracts = merged.contracts || {};
    for (const [file, source] of Object.entries(output.sources || {})) {
      if (!merged.sources[file] || (source.ast && !merged.sources[file].ast)) merged.sources[file] = source;
    }
    for (const [file, contracts] of Object.entries(output.contracts || {})) {
      merged.contracts[file] = { ...(merged.contracts[file] || {}), ...contracts };
    }
  }
  const ordered = {};
  if (merged.contracts) {
    ordered.contracts = sortedKeys(merged.contracts);
    for (const file of Object.keys(ordered.contracts)) ordered.contracts[file] = sortedKeys(ordered.contracts[file]);
  }
  if (merged.errors) ordered.errors = merged.errors;
  if (merged.sources) ordered.sources = sortedKeys(merged.sources);
  return ordered;
}

const COMBINED_TO_SELECTION = {
  abi: ['abi'],
  bin: ['evm.bytecode.object'],
  'bin-runtime': ['evm.deployedBytecode.object'],
  srcmap: ['evm.bytecode.sourceMap'],
  'srcmap-runtime': ['evm.deployedBytecode.sourceMap'],
  userdoc: ['userdoc'],
  devdoc: ['devdoc'],
  hashes: ['evm.methodIdentifiers'],
  metadata: ['metadata'],
  opcodes: ['evm.bytecode.opcodes'],
  asm: ['evm.legacyAssembly'],
  'storage-layout': ['storageLayout'],
  'generated-sources': ['evm.bytecode.generatedSources'],
  'generated-sources-runtime': ['evm.deployedBytecode.generatedSources'],
};

// DEAI_SOLC_NO_BYTECODE=1 (set by deai/lint.py for slither): analysis without code generation. The bytecode keys
// of --combined-json are still present, empty: crytic-compile reads them, and slither's detectors work on the AST
// (it reads bytecode only for `type(C).creationCode` / `runtimeCode` constants, which deai/lint.py checks the
// production sources do not use). Skipping code generation (via IR, 1,000,000 optimizer runs, in wasm) makes each
// slither run about 8x cheaper (ComputeMarketplace: 2.3 s of CPU instead of 18.9 s).
const NO_BYTECODE = process.env.DEAI_SOLC_NO_BYTECODE === '1';
const BYTECODE_KEYS = new Set(['bin', 'bin-runtime', 'srcmap', 'srcmap-runtime', 'opcodes', 'asm', 'generated-sources',
  'generated-sources-runtime']);

function combinedEntry(keys, contract) {
  const entry = {};
  const evm = contract.evm || {};
  for (const key of keys) {
    if (NO_BYTECODE && BYTECODE_KEYS.has(key)) {
      entry[key] = '';
      continue;
    }
    switch (key) {
      case 'abi': entry.abi = contract.abi; break;
      case 'bin': entry.bin = evm.bytecode.object; break;
      case 'bin-runtime': entry['bin-runtime'] = evm.deployedBytecode.object; break;
      case 'srcmap': entry.srcmap = evm.bytecode.sourceMap; break;
      case 'srcmap-runtime': entry['srcmap-runtime'] = evm.deployedBytecode.sourceMap; break;
      case 'userdoc': entry.userdoc = contract.userdoc; break;
      case 'devdoc': entry.devdoc = contract.devdoc; break;
      case 'hashes': entry.hashes = evm.methodIdentifiers; break;
      case 'metadata': entry.metadata = contract.metadata; break;
      case 'opcodes': entry.opcodes = evm.bytecode.opcodes; break;
      case 'asm': entry.asm = evm.legacyAssembly; break;
      case 'storage-layout': entry['storage-layout'] = contract.storageLayout; break;
      case 'generated-sources': entry['generated-sources'] = evm.bytecode.generatedSources; break;
      case 'generated-sources-runtime': entry['generated-sources-runtime'] = evm.deployedBytecode.generatedSources; break;
      default: break;
    }
  }
  return entry;
}

function cliSettings(options, outputSelection) {
  const settings = {
    optimizer: { enabled: options.optimize, runs: options.optimizeRuns },
    outputSelection,
    remappings: options.remappings.map((r) => `${r.context ? r.context + ':' : ''}${r.prefix}=${r.target}`),
  };
  if (options.evmVersion) settings.evmVersion = options.evmVersion;
  if (options.viaIR) settings.viaIR = true;
  return settings;
}

/** Classic command-line mode: compile the named files, print diagnostics, emit --combined-json if asked. */
function compileFiles(solc, options) {
  const inputs = options.inputs.filter((f) => f !== '-');
  for (const file of inputs) {
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      return { stderr: `"${file}" is not found.\n`, code: EXIT_FAILURE };
    }
  }
  const reader = new FileReader(options, inputs.map((f) => path.dirname(path.resolve(f))));
  const sources = {};
  for (const file of inputs) sources[reader.sourceUnitName(file)] = { content: fs.readFileSync(file, 'utf8') };
  if (options.inputs.includes('-')) sources['<stdin>'] = { content: readStdin() };
  if (Object.keys(sources).length === 0) {
    return { stderr: 'Error: No input files given. If you wish to use the standard input please specify "-" explicitly.\n', code: EXIT_FAILURE };
  }

  const keys = options.combinedJson || [];
  for (const key of keys) {
    if (key !== 'ast' && key !== 'compact-format' && !(key in COMBINED_TO_SELECTION)) {
      return { stderr: `Error: Invalid option to --combined-json: ${key}\n`, code: EXIT_FAILURE };
    }
  }
  const contractOutputs = keys.filter((k) => !(NO_BYTECODE && BYTECODE_KEYS.has(k)))
    .flatMap((k) => COMBINED_TO_SELECTION[k] || []);
  const outputSelection = { '*': { '*': contractOutputs, '': keys.includes('ast') ? ['ast'] : [] } };
  const input = { language: 'Solidity', sources, settings: cliSettings(options, outputSelection) };
  const output = JSON.parse(compileStandardJson(solc, JSON.stringify(input), reader));

  const diagnostics = (output.errors || []).map((e) => e.formattedMessage || `${e.type}: ${e.message}`).join('\n');
  const failed = (output.errors || []).some((e) => e.severity === 'error');
  if (failed) return { stderr: diagnostics + '\n', code: EXIT_FAILURE };
  if (keys.length === 0) {
    return { stderr: diagnostics ? diagnostics + '\n' : '', stdout: 'Compiler run successful. No output generated.\n', code: EXIT_OK };
  }

  const combined = { contracts: {}, version: nativeVersionString(solc) };
  for (const [file, contracts] of Object.entries(output.contracts || {})) {
    for (const [name, contract] of Object.entries(contracts)) {
      combined.contracts[`${file}:${name}`] = combinedEntry(keys, contract);
    }
  }
  const sourceList = Object.keys(output.sources || {}).sort((a, b) => output.sources[a].id - output.sources[b].id);
  combined.sourceList = sourceList;
  if (keys.includes('ast')) {
    combined.sources = {};
    for (const file of sourceList) combined.sources[file] = { AST: output.sources[file].ast, id: output.sources[file].id };
  }
  const text = options.prettyJson ? JSON.stringify(combined, null, 2) : JSON.stringify(combined);
  return { stderr: diagnostics ? diagnostics + '\n' : '', stdout: text + '\n', code: EXIT_OK };
}

/** --serve: each stdin line a Standard JSON input, each stdout line its output; resolves when stdin ends. */
function serve(solc, options) {
  const reader = new FileReader(options, []);
  const lines = require('readline').createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line.trim()) process.stdout.write(compileStandardJson(solc, line, reader).replace(/\n/g, ' ') + '\n');
  });
  return new Promise((resolve) => lines.on('close', () => resolve({ code: EXIT_OK })));
}

/** The result of a command line; a Promise of it when a Standard JSON input is compiled in parallel parts. */
function run(argv) {
  const options = parseArguments(argv);
  if (options.help) return { stdout: HELP, code: EXIT_OK };
  if (options.serve) return serve(loadCompiler(), options);
  if (options.standardJson) {
    if (options.inputs.length > 1) throw new UsageError('Too many input files for --standard-json.');
    const file = options.inputs[0];
    if (file && file !== '-' && !fs.existsSync(file)) return { stderr: `"${file}" is not found.\n`, code: EXIT_FAILURE };
    const inputText = file && file !== '-' ? fs.readFileSync(file, 'utf8') : readStdin();
    const format = (output) => ({ stdout: (options.prettyJson ? JSON.stringify(JSON.parse(output), null, 2) : output) + '\n', code: EXIT_OK });
    let parts = null;
    try { parts = parallelParts(JSON.parse(inputText)); } catch (error) { parts = null; } // solc reports bad JSON
    if (parts) return compileParts(parts, argv, file).then((outputs) => format(JSON.stringify(mergeOutputs(outputs))));
    return format(compileStandardJson(loadCompiler(), inputText, new FileReader(options, [])));
  }
  const solc = loadCompiler();
  if (options.version) {
    return { stdout: `solc, the solidity compiler commandline interface\nVersion: ${nativeVersionString(solc)}\n`, code: EXIT_OK };
  }
  return compileFiles(solc, options);
}

async function main() {
  let result;
  try {
    result = await run(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    result = { stderr: `Error: ${error.message}\n`, code: EXIT_FAILURE };
  }
  if (result.stdout) writeAll(1, result.stdout);
  if (result.stderr) writeAll(2, result.stderr);
  // Never call process.exit() here: letting the event loop drain guarantees every byte is flushed.
  process.exitCode = result.code;
}

main();
