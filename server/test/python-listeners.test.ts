import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { parsePython, pythonListens, pythonPortExpr } from '../src/parsers/python';
import { audit, byRule, lineOf, makeWorkspace } from './helpers/workspace';

const PYPROJECT = '[project]\nname = "svc"\nversion = "0.1.0"\n';

/** Two Python services on ports `a` and `b`, linked by one database server in their live env files (they run together). */
function linkedServices(a: number, b: number): Record<string, string> {
  return {
    'a/pyproject.toml': PYPROJECT,
    'a/main.py': `import uvicorn\nuvicorn.run("main:app", port=${a})\n`,
    'a/.env': 'DATABASE_URL=postgresql://u:p@localhost:5432/a\n',
    'b/pyproject.toml': PYPROJECT,
    'b/main.py': `import uvicorn\nuvicorn.run("main:app", port=${b})\n`,
    'b/.env': 'DATABASE_URL=postgresql://u:p@localhost:5432/b\n',
  };
}

test('python parser: server calls and the port expressions they pass', () => {
  const text = [
    'import os, asyncio, subprocess',
    'import uvicorn',
    'from flask import Flask',
    'app = Flask(__name__)',
    'asyncio.run(main())',
    'subprocess.run(["ls"], check=True)',
    '# uvicorn.run("main:app", port=9999)',
    'uvicorn.run("main:app", host="0.0.0.0", port=8081)',
    'uvicorn.run(app, port=int(os.getenv("AUTH_PORT", "8082")))',
    'uvicorn.run(',
    '    "main:app",',
    '    host="127.0.0.1",  # local only',
    '    port=settings.PORT,',
    ')',
    'app.run(debug=True)',
    'uvicorn.run(app, port=int(os.environ["PORT"]))',
    'uvicorn.run(app, port=int(os.getenv("PORT") or 8083))',
    'uvicorn.run("main:app")',
  ].join('\n');
  const ls = pythonListens(text, '/x/main.py');
  const at = (line: number) => ls.filter((l) => l.range.start.line === line);
  assert.equal(ls.length, 7, JSON.stringify(ls));
  assert.equal(at(7)[0].literal, 8081);
  assert.equal(at(7)[0].tool, 'uvicorn.run');
  // the range is the port argument
  assert.equal(text.split('\n')[7].slice(at(7)[0].range.start.character, at(7)[0].range.end.character), 'port=8081');
  assert.deepEqual([at(8)[0].envVar, at(8)[0].fallback], ['AUTH_PORT', 8082]);
  assert.equal(at(12)[0].ref, 'PORT');
  assert.deepEqual([at(14)[0].tool, at(14)[0].defaultPort, at(14)[0].literal], ['app.run', 5000, undefined]);
  assert.deepEqual([at(15)[0].envVar, at(15)[0].fallback], ['PORT', undefined]);
  assert.deepEqual([at(16)[0].envVar, at(16)[0].fallback], ['PORT', 8083]);
  assert.deepEqual([at(17)[0].defaultPort, at(17)[0].literal, at(17)[0].envVar], [8000, undefined, undefined]);
  assert.deepEqual(pythonPortExpr(' "8001" '), { literal: 8001 });
  assert.equal(pythonPortExpr('70000'), undefined);
  assert.equal(pythonPortExpr('get_port()'), undefined);
});

test('python listeners: env files, fallbacks and names defined in another module of the app', async () => {
  const ws = makeWorkspace({
    'auth/pyproject.toml': PYPROJECT,
    'auth/main.py': 'import os\nimport uvicorn\n\nif __name__ == "__main__":\n    uvicorn.run("main:app", port=int(os.getenv("AUTH_PORT", "8081")))\n',
    'auth/.env': 'AUTH_PORT=8090\n',
    'backend/pyproject.toml': PYPROJECT,
    'backend/app/config.py': 'import os\n\nBACKEND_PORT = int(os.environ.get("BACKEND_PORT", "8000"))\n',
    'backend/app/main.py': 'import uvicorn\nfrom app import config\n\nuvicorn.run("app.main:app", host="0.0.0.0", port=config.BACKEND_PORT)\n',
    'flaskapp/requirements.txt': 'flask\n',
    'flaskapp/app.py': 'from flask import Flask\napp = Flask(__name__)\n\nif __name__ == "__main__":\n    app.run(debug=True)\n',
  });
  const { engine } = await audit(ws);
  const byId = (id: string) => engine.apps().find((a) => a.id === id)!;
  const auth = byId('auth').listeners;
  assert.equal(auth.length, 1);
  assert.deepEqual([auth[0].port, auth[0].how, auth[0].framework, auth[0].script], [8090, 'loaded-env', 'python', 'main.py']);
  assert.equal(auth[0].source.file, path.join(ws, 'auth/.env'));
  const be = byId('backend').listeners;
  assert.deepEqual([be[0].port, be[0].how, be[0].explicit], [8000, 'listen', true]);
  assert.equal(be[0].source.file, path.join(ws, 'backend/app/config.py'));
  assert.equal(be[0].source.range.start.line, lineOf(path.join(ws, 'backend/app/config.py'), 'BACKEND_PORT ='));
  assert.match(be[0].reason, /BACKEND_PORT in app\/config\.py/);
  const fl = byId('flaskapp').listeners;
  assert.deepEqual([fl[0].port, fl[0].how, fl[0].explicit], [5000, 'default', false]);
});

test('python listeners take part in port-collision like any other server', async () => {
  // The two services use one database server in their live env files: they run on this machine together (issue 10).
  const files = {
    'a/pyproject.toml': PYPROJECT,
    'a/main.py': 'import uvicorn\nuvicorn.run("main:app", port=8081)\n',
    'b/pyproject.toml': PYPROJECT,
    'b/main.py': 'import uvicorn\nuvicorn.run("main:app", port=8081)\n',
  };
  const ws = makeWorkspace({
    ...files,
    'a/.env': 'DATABASE_URL=postgresql://u:p@localhost:5432/a\n',
    'b/.env': 'DATABASE_URL=postgresql://u:p@localhost:5432/b\n',
  });
  const { findings } = await audit(ws);
  const pc = byRule(findings, 'port-collision');
  assert.deepEqual(pc.map((f) => path.relative(ws, f.location.file)).sort(), ['a/main.py', 'b/main.py']);
  for (const f of pc) assert.equal(f.location.range.start.line, 1);
  // Without anything that links them, two services side by side are not taken to run together.
  const alone = await audit(makeWorkspace(files));
  assert.deepEqual(byRule(alone.findings, 'port-collision'), []);
});

test('python parser: a server bound to a UNIX socket or an inherited descriptor has no TCP port', () => {
  const text = [
    'import uvicorn',
    'from aiohttp import web',
    'uvicorn.run(app, uds="/tmp/khoj.sock")',
    'uvicorn.run(app, fd=3)',
    'web.run_app(app, path="/run/app.sock")',
    'uvicorn.run(app, host="0.0.0.0", port=8090)',
  ].join('\n');
  const ls = pythonListens(text, '/x/main.py');
  assert.deepEqual(
    ls.map((l) => [l.range.start.line, l.literal]),
    [[5, 8090]],
  );
});

test('a setup.py inside a package (an __init__.py beside it) is a module, not a project', async () => {
  const ws = makeWorkspace({
    'server/pyproject.toml': PYPROJECT,
    'server/main.py': 'import uvicorn\nuvicorn.run("main:app", port=8888)\n',
    'server/memory/__init__.py': '',
    'server/memory/setup.py': 'def setup_memory():\n    return {}\n',
    'sdk/setup.py': 'from setuptools import setup\nsetup(name="sdk")\n',
  });
  const { engine } = await audit(ws);
  assert.deepEqual(
    engine
      .apps()
      .map((a) => path.relative(ws, a.dir))
      .sort(),
    ['sdk', 'server'],
  );
});

test('python test modules (test_*.py, *_test.py, conftest.py, tests.py) are not read: their servers and defaults are test inputs', async () => {
  const ws = makeWorkspace({
    ...linkedServices(8081, 8082),
    'a/test_main.py': 'import uvicorn\nuvicorn.run("main:app", port=8099)\n',
    'a/conftest.py': 'import os\nos.environ.get("DATABASE_URL", "postgresql://t:t@localhost:5432/test")\n',
    'b/api/health_test.py': 'import uvicorn\nuvicorn.run(app, port=8099)\n',
    'b/api/tests.py': 'import os\nAPI_URL = os.getenv("API_URL", "http://localhost:8099")\n',
    // Names that only start or end like a test module are code.
    'b/api/testimonials.py': 'import os\nQUOTES_URL = os.getenv("QUOTES_URL", "http://localhost:8082/quotes")\n',
  });
  const { engine, findings } = await audit(ws);
  const app = (id: string) => engine.apps().find((x) => x.id === id)!;
  assert.deepEqual(
    app('a').code.map((c) => path.relative(ws, c.file)),
    ['a/main.py'],
  );
  assert.deepEqual(
    app('b')
      .code.map((c) => path.relative(ws, c.file))
      .sort(),
    ['b/api/testimonials.py', 'b/main.py'],
  );
  assert.deepEqual(
    [...app('a').listeners, ...app('b').listeners].map((l) => l.port),
    [8081, 8082],
  );
  // Both test modules call uvicorn.run on 8099 and the two services are linked (one database server): no collision.
  assert.deepEqual(byRule(findings, 'port-collision'), []);
});

test('python parser: string fields are env defaults only in a settings class body, not in dataclasses, models, nested Config classes or functions', () => {
  const text = [
    'from dataclasses import dataclass',
    'from pydantic import BaseModel',
    'from pydantic_settings import BaseSettings',
    '',
    'class Settings(BaseSettings):',
    '    API_URL: str = "http://localhost:8000"',
    '',
    '    def base(self) -> str:',
    '        local_url: str = "http://localhost:9999"',
    '        return local_url',
    '',
    '    class Config:',
    '        env_file: str = ".env"',
    '    AUTH_URL: str = "http://localhost:8001"',
    '',
    'class Multi(',
    '    BaseSettings,',
    '):',
    '    QUEUE_URL: str = "redis://localhost:6379"',
    '',
    '@dataclass',
    'class Item:',
    '    name: str = "item"',
    '',
    'class Payload(BaseModel):',
    '    callback_url: str = "http://localhost:7000"',
    '',
    'def handler():',
    '    entry: str = "http://localhost:7777"',
    '    return entry',
  ].join('\n');
  const info = parsePython(text, '/x/app/config.py');
  assert.deepEqual(
    info.defaults.map((d) => [d.key, d.value]),
    [
      ['API_URL', 'http://localhost:8000'],
      ['AUTH_URL', 'http://localhost:8001'],
      ['QUEUE_URL', 'redis://localhost:6379'],
    ],
  );
});

test('a python server started under a test folder (a live-server helper) is not a listener of the app', async () => {
  const ws = makeWorkspace({
    ...linkedServices(8081, 8082),
    'b/tests/helpers/live_server.py': 'import uvicorn\n\ndef start(app):\n    uvicorn.run(app, port=8081)\n',
    'b/e2e/server.py': 'import uvicorn\nuvicorn.run("main:app", port=8081)\n',
  });
  const { engine, findings } = await audit(ws);
  const b = engine.apps().find((x) => x.id === 'b')!;
  assert.deepEqual(
    b.listeners.map((l) => [l.port, l.script]),
    [[8082, 'main.py']],
  );
  // The helpers would have put b on a's port 8081 (the two are linked by one database server): no collision.
  assert.deepEqual(byRule(findings, 'port-collision'), []);
});
