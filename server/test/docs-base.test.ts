/**
 * One docs base for every output: the LSP diagnostics' codeDescription, the SARIF log's helpUri and the audit
 * report all link a rule to docs/rules/<id>.md through server/src/docs.ts, whose web address comes from
 * package.json (`repository`, else `homepage`). The editor opens the page shipped with the package (offline).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { docsBaseUri, docsHref, packageFacts, repositoryWebUrl } from '../src/docs';
import { DocsResolver } from '../src/lsp/convert';
import { RULES } from '../src/rules';
import { REPO_ROOT } from './helpers/files';

const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
const WEB = repositoryWebUrl(pkg.repository)!;

test('docs base: the repository field in its usual spellings gives one web address', () => {
  for (const r of [
    'git+https://github.com/o/r.git',
    'https://github.com/o/r',
    'https://github.com/o/r.git',
    'github:o/r',
    'o/r',
    { type: 'git', url: 'git+https://github.com/o/r.git' },
    'git@github.com:o/r.git',
    'git://github.com/o/r.git',
  ]) {
    assert.equal(repositoryWebUrl(r), 'https://github.com/o/r', JSON.stringify(r));
  }
  for (const r of [undefined, '', 42, { url: 3 }, 'not a url']) assert.equal(repositoryWebUrl(r), undefined, JSON.stringify(r));
});

test("docs base: derived from Crosswire's package.json, remote for logs read elsewhere, local for the editor", () => {
  assert.match(WEB, /^https:\/\//);
  const facts = packageFacts(path.join(REPO_ROOT, 'server', 'out', 'src'));
  assert.equal(facts.root, REPO_ROOT);
  assert.equal(docsBaseUri('remote', facts), `${WEB}/blob/HEAD/`);
  assert.equal(docsBaseUri('local', facts), pathToFileURL(REPO_ROOT).href + '/');
  assert.equal(docsHref('docs/rules/port-collision.md', docsBaseUri('remote', facts)), `${WEB}/blob/HEAD/docs/rules/port-collision.md`);
  assert.equal(docsHref('https://example.org/x.md', docsBaseUri('remote', facts)), 'https://example.org/x.md', 'an absolute url stays');
});

test('docs base: a package with only a homepage, or with neither, or without its pages', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crosswire-docs-base-'));
  try {
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'crosswire', version: '9.9.9', homepage: 'https://crosswire.example/docs' }));
    const noPages = packageFacts(dir);
    assert.equal(docsBaseUri('remote', noPages), 'https://crosswire.example/docs/');
    assert.equal(docsBaseUri('local', noPages), 'https://crosswire.example/docs/', 'no docs/rules shipped: the web pages');
    fs.mkdirSync(path.join(dir, 'docs', 'rules'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'docs', 'rules', 'port-collision.md'), '# port-collision\n');
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'crosswire', version: '9.9.9' }));
    const local = packageFacts(dir);
    assert.equal(docsBaseUri('remote', local), pathToFileURL(dir).href + '/', 'no web address: the shipped copy');
    // The editor links the shipped page; a page that is not shipped has nowhere else to go but the same base.
    const resolver = new DocsResolver(dir);
    assert.equal(resolver.href('port-collision'), pathToFileURL(path.join(dir, 'docs', 'rules', 'port-collision.md')).href);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('docs base: the editor links every rule to the page shipped in the package', () => {
  const resolver = new DocsResolver(path.join(REPO_ROOT, 'server', 'dist'));
  for (const r of RULES) assert.equal(resolver.href(r.id, r), pathToFileURL(path.join(REPO_ROOT, r.docs.url)).href, r.id);
  assert.equal(resolver.href('no-such-rule'), `${WEB}/blob/HEAD/docs/rules/no-such-rule.md`, 'a page that is not shipped: the web page');
});

test('docs base: no other docs or repository address is written into the server sources', () => {
  const hits: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ts$/.test(e.name) && /github\.com\/crosswire|blob\/(main|HEAD)/.test(fs.readFileSync(p, 'utf8')) && !p.endsWith(path.join('src', 'docs.ts')))
        hits.push(path.relative(REPO_ROOT, p));
    }
  };
  walk(path.join(REPO_ROOT, 'server', 'src'));
  assert.deepEqual(hits, []);
});
