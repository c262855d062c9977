import { hostPort, serve, type FrameworkModule, type PortArg } from './types';

function bindArg(args: readonly string[], flags: string[]): PortArg | undefined {
  let found: PortArg | undefined;
  for (let k = 0; k < args.length; k++) {
    for (const f of flags) {
      if (args[k] === f && args[k + 1] !== undefined) found = { port: hostPort(args[k + 1]), first: k, last: k + 1 };
      else if (args[k].startsWith(`${f}=`)) found = { port: hostPort(args[k].slice(f.length + 1)), first: k, last: k };
    }
  }
  return found;
}

/**
 * Python servers started from a command: uvicorn (`--port`, else 8000), the FastAPI CLI (`fastapi dev|run`, 8000),
 * Flask's CLI (`flask run`, `--port`/`-p` or FLASK_RUN_PORT, else 5000), Django's `manage.py runserver [addr:]port`
 * (8000) and gunicorn (`-b`/`--bind host:port`, else `0.0.0.0:$PORT` when PORT is set, else 8000).
 */
export const python: FrameworkModule = {
  framework: 'python',
  label: 'Python',
  deps: [],
  match(bin, args) {
    if (bin === 'uvicorn')
      return {
        words: 0,
        spec: serve({
          id: 'uvicorn',
          framework: 'python',
          label: 'uvicorn',
          role: args.includes('--reload') ? 'dev' : 'start',
          defaultPort: 8000,
          portEnv: ['UVICORN_PORT'],
        }),
      };
    if (bin === 'fastapi' && (args[0] === 'dev' || args[0] === 'run'))
      return {
        words: 1,
        spec: serve({ id: `fastapi-${args[0]}`, framework: 'python', label: 'FastAPI CLI', role: args[0] === 'dev' ? 'dev' : 'start', defaultPort: 8000 }),
      };
    if (bin === 'flask' && args[0] === 'run')
      return {
        words: 1,
        spec: serve({
          id: 'flask-run',
          framework: 'python',
          label: 'Flask',
          role: 'dev',
          defaultPort: 5000,
          portFlags: ['--port', '-p'],
          portEnv: ['FLASK_RUN_PORT'],
        }),
      };
    if (bin === 'gunicorn')
      return {
        words: 0,
        spec: serve({
          id: 'gunicorn',
          framework: 'python',
          label: 'gunicorn',
          role: 'start',
          defaultPort: 8000,
          portFlags: [],
          portEnv: ['PORT'],
          portArg: (a) => bindArg(a, ['-b', '--bind']),
        }),
      };
    if ((bin === 'python' || bin === 'python3') && /(^|\/)manage\.py$/.test(args[0] ?? '') && args[1] === 'runserver') {
      return {
        words: 2,
        spec: serve({
          id: 'django-runserver',
          framework: 'python',
          label: 'Django',
          role: 'dev',
          defaultPort: 8000,
          portFlags: [],
          portArg: (a) => {
            const i = a.findIndex((w) => !w.startsWith('-'));
            const p = i === -1 ? undefined : hostPort(a[i]);
            return p ? { port: p, first: i, last: i } : undefined;
          },
        }),
      };
    }
    return undefined;
  },
};
