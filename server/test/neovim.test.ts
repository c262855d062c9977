// Crosswire from another LSP client: Debian's Neovim (0.7.2: `vim.lsp.start_client` +
// `vim.lsp.buf_attach_client`), headless, starts the built server through its `bin` entry
// (`crosswire-language-server --stdio`) on a temporary copy of test-workspace/, and the duplicate-secret
// diagnostic of incident a must arrive on the NEXTAUTH_SECRET line (found by searching the file).
// Skipped, with the reason, where no `nvim` is installed (.ci/run installs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './helpers/files';

const bin = path.join(REPO_ROOT, 'server', 'bin', 'crosswire-language-server.js');

interface NvimDiagnostic {
  lnum: number;
  col: number;
  message: string;
  source?: string;
  code?: string | number;
  severity: number;
}

interface NvimResult {
  ok: boolean;
  error?: string;
  version?: string;
  opened?: NvimDiagnostic[];
  unopened?: NvimDiagnostic[];
}

// Runs inside nvim. Whatever happens it writes CW_OUT and quits (a headless nvim that hit an error
// would otherwise wait for input forever).
const LUA = `
local out = vim.env.CW_OUT
local function write(result)
  local f = assert(io.open(out, 'w'))
  f:write(vim.fn.json_encode(result))
  f:close()
end

local function crosswire_diagnostics(bufnr)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local lsp = d.user_data and d.user_data.lsp or {}
    if (d.source or lsp.source) == 'crosswire' then
      table.insert(list, {
        lnum = d.lnum, col = d.col, message = d.message, severity = d.severity,
        source = d.source or lsp.source, code = d.code or lsp.code,
      })
    end
  end
  return list
end

local function has_duplicate(list)
  for _, d in ipairs(list) do
    if d.code == 'duplicate-secret' then return true end
  end
  return false
end

local function main()
  local root = vim.env.CW_ROOT
  local client_id = vim.lsp.start_client({
    name = 'crosswire',
    cmd = { vim.env.CW_NODE, vim.env.CW_BIN, '--stdio' },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = 'test-workspace' } },
    init_options = { diagnostics = 'push' },
  })
  assert(client_id, 'vim.lsp.start_client returned nothing')
  vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.CW_FILE))
  local bufnr = vim.api.nvim_get_current_buf()
  assert(vim.lsp.buf_attach_client(bufnr, client_id), 'buf_attach_client failed')
  -- A file of the other app that is never opened: the server publishes its diagnostics too.
  local other = vim.uri_to_bufnr(vim.uri_from_fname(vim.env.CW_OTHER))
  local arrived = vim.wait(tonumber(vim.env.CW_WAIT_MS), function()
    return has_duplicate(crosswire_diagnostics(bufnr)) and has_duplicate(crosswire_diagnostics(other))
  end, 100)
  local v = vim.version()
  write({
    ok = arrived,
    version = v.major .. '.' .. v.minor .. '.' .. v.patch,
    opened = crosswire_diagnostics(bufnr),
    unopened = crosswire_diagnostics(other),
  })
  vim.lsp.stop_client(client_id)
  vim.wait(2000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
end

local ok, err = pcall(main)
if not ok then write({ ok = false, error = tostring(err) }) end
vim.cmd('qa!')
`;

function nvimVersion(): string | undefined {
  const r = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0] : undefined;
}

test('neovim: the built server over stdio publishes duplicate-secret on the right line (vim.lsp.start_client)', { timeout: 120_000 }, async (t) => {
  const version = nvimVersion();
  if (!version) {
    t.skip('nvim is not installed (apt-get install neovim): the Neovim client test needs it');
    return;
  }
  assert.ok(fs.existsSync(path.join(REPO_ROOT, 'server', 'dist', 'server.js')), 'server/dist/server.js: run the build first');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-nvim-'));
  try {
    const ws = fs.realpathSync(tmp) + '/test-workspace';
    fs.cpSync(path.join(REPO_ROOT, 'test-workspace'), ws, { recursive: true });
    const file = path.join(ws, 'electricity-tokens', '.env');
    const other = path.join(ws, 'multi-business-multi-apps', '.env');
    const script = path.join(tmp, 'crosswire.lua');
    const out = path.join(tmp, 'result.json');
    fs.writeFileSync(script, LUA);
    const r = spawnSync('nvim', ['--headless', '-n', '-u', 'NONE', '-i', 'NONE', '-c', `luafile ${script}`], {
      cwd: ws,
      encoding: 'utf8',
      timeout: 90_000,
      env: {
        ...process.env,
        XDG_CONFIG_HOME: path.join(tmp, 'config'),
        XDG_DATA_HOME: path.join(tmp, 'data'),
        XDG_STATE_HOME: path.join(tmp, 'state'),
        XDG_CACHE_HOME: path.join(tmp, 'cache'),
        CW_OUT: out,
        CW_ROOT: ws,
        CW_FILE: file,
        CW_OTHER: other,
        CW_NODE: process.execPath,
        CW_BIN: bin,
        CW_WAIT_MS: '60000',
      },
    });
    assert.ok(fs.existsSync(out), `nvim wrote no result (status ${r.status ?? r.signal}): ${(r.stderr || r.stdout || '').slice(-2000)}`);
    const result = JSON.parse(fs.readFileSync(out, 'utf8')) as NvimResult;
    t.diagnostic(`${version}; ${result.opened?.length ?? 0} crosswire diagnostic(s) in the opened file`);
    assert.equal(result.error, undefined, result.error);

    const expectedLine = fs
      .readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .findIndex((l) => /^\s*NEXTAUTH_SECRET\s*=/.test(l));
    assert.ok(expectedLine >= 0, 'NEXTAUTH_SECRET line in electricity-tokens/.env');
    const duplicates = (result.opened ?? []).filter((d) => d.code === 'duplicate-secret');
    assert.equal(duplicates.length, 1, `duplicate-secret in electricity-tokens/.env: ${JSON.stringify(result.opened)}`);
    const d = duplicates[0];
    assert.equal(d.lnum, expectedLine, 'the diagnostic is on the NEXTAUTH_SECRET line');
    assert.equal(d.col, 0);
    assert.equal(d.severity, 1, 'an error (vim.diagnostic.severity.ERROR)');
    assert.match(d.message, /NEXTAUTH_SECRET .*electricity-tokens.* is also the secret of multi-business-multi-apps/);
    assert.doesNotMatch(d.message, /pano-pamusha/, 'the secret itself is never shown');

    const otherLine = fs
      .readFileSync(other, 'utf8')
      .split(/\r?\n/)
      .findIndex((l) => /^\s*NEXTAUTH_SECRET\s*=/.test(l));
    const unopened = (result.unopened ?? []).filter((x) => x.code === 'duplicate-secret');
    assert.deepEqual(
      unopened.map((x) => x.lnum),
      [otherLine],
      `the never-opened multi-business-multi-apps/.env gets its diagnostic too: ${JSON.stringify(result.unopened)}`,
    );
    assert.ok(result.ok);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
