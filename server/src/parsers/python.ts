import type { CodeDefault, CodeFileInfo } from '../model/types';
import { LineIndex } from '../model/text';

export function mayHavePythonFacts(text: string): boolean {
  return text.includes('getenv') || text.includes('environ') || /:\s*str\s*=/.test(text);
}

// os.getenv("X", "default") / os.environ.get("X", "default") / getenv('X', 'default')
const GETENV = /\b(?:os\.getenv|getenv|os\.environ\.get|environ\.get)\(\s*(["'])([A-Za-z_][A-Za-z0-9_]*)\1\s*,\s*(?:default\s*=\s*)?(["'])((?:(?!\3)[^\\\n]|\\.)*)\3/g;
// Settings fields (pydantic BaseSettings, dataclasses): `AUTH_SERVICE_URL: str = "http://..."`
const FIELD = /^(\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?:str|Optional\[str\]|str\s*\|\s*None|AnyHttpUrl|HttpUrl|AnyUrl)\s*=\s*(?:Field\(\s*(?:default\s*=\s*)?)?(["'])((?:(?!\3)[^\\\n]|\\.)*)\3/;

/**
 * Reads env defaults from Python source line by line (never imports or runs it): `os.getenv`
 * defaults and settings-class string fields, whose env name is the field name upper-cased
 * (pydantic matches env names case-insensitively).
 */
export function parsePython(text: string, file: string): CodeFileInfo {
  const info: CodeFileInfo = { file, language: 'python', defaults: [], listens: [], loadsDotenv: false, dotenvPaths: [], driverPools: [], problems: [], text };
  const lines = new LineIndex(text);
  for (let ln = 0; ln < lines.lineCount; ln++) {
    const line = lines.lineText(ln);
    const trimmed = line.trimStart();
    if (trimmed.startsWith('#')) continue;
    if (/\bload_dotenv\(/.test(line)) info.loadsDotenv = true;
    GETENV.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = GETENV.exec(line))) {
      const valueStart = m.index + m[0].length - 1 - m[4].length;
      info.defaults.push(def(file, m[2], m[4], ln, valueStart));
    }
    const f = FIELD.exec(line);
    if (f && f[1].length > 0) {
      const valueStart = f[0].length - 1 - f[4].length;
      info.defaults.push(def(file, f[2].toUpperCase(), f[4], ln, valueStart));
    }
  }
  return info;
}

function def(file: string, key: string, value: string, line: number, character: number): CodeDefault {
  return { file, key, value, range: { start: { line, character }, end: { line, character: character + value.length } }, language: 'python' };
}
