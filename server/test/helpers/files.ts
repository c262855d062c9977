/**
 * Paths and small file helpers the tests share (they were redefined in many test files).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LineIndex } from '../../src/model/text';

/** Repository root, from server/out/test/helpers/. */
export const REPO_ROOT = path.resolve(__dirname, '../../../..');
/** The bundled CLI (built by scripts/build.mjs). */
export const CLI = path.join(REPO_ROOT, 'server', 'dist', 'cli.js');
/** The bundled test workspace whose findings test-workspace/expected-findings.json lists. */
export const TEST_WORKSPACE = path.join(REPO_ROOT, 'test-workspace');

export function read(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

/** Writes a file, creating its folders; returns its path. */
export function write(file: string, text: string | Buffer): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

/** 0-based line of the first line of a file containing `needle`. */
export function lineOf(file: string, needle: string): number {
  const i = read(file)
    .split(/\r?\n/)
    .findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `"${needle}" not found in ${file}`);
  return i;
}

/** Offset in `text` of an LSP position (clamped to the text and to the end of its line). */
export function offsetAt(text: string, pos: { line: number; character: number }): number {
  return new LineIndex(text).offsetAt(pos);
}

/** Temp folders made by tempDir() in this test process: removed when it exits (KEEP=1 keeps them, to look at). */
const temps: string[] = [];
process.once('exit', () => {
  if (!process.env.KEEP) for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh temp folder named `<prefix>XXXXXX`, removed when the test process exits. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** A RAM-backed temp folder where there is one (creating 10,000 files on a busy disk takes long). */
export function fastTmp(): string {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
}
