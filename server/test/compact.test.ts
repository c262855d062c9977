/**
 * compactArrays / exact (model/compact.ts): the lists the index and the per-app memos keep are copied to their
 * exact length. What a user would notice if it went wrong is a fact lost or changed, or two places that shared a
 * list no longer seeing the same one: these tests hold the copy to that.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactArrays, exact } from '../src/model/compact';
import { parseIndexedFile } from '../src/index/ingest';

test('compactArrays copies every array of plain data, keeping the values, the nesting and the sharing', () => {
  const shared = [{ key: 'PORT', value: '3000' }];
  const pushed: number[] = [];
  for (let i = 0; i < 3; i++) pushed.push(i);
  const tree = { entries: shared, again: shared, nested: { lists: [pushed, []] }, n: 1, s: 'x', none: null, gone: undefined };
  const out = compactArrays(tree);
  assert.equal(out, tree, 'the objects themselves are kept (other holders see the new lists)');
  assert.deepEqual(out, {
    entries: [{ key: 'PORT', value: '3000' }],
    again: [{ key: 'PORT', value: '3000' }],
    nested: { lists: [[0, 1, 2], []] },
    n: 1,
    s: 'x',
    none: null,
    gone: undefined,
  });
  assert.notEqual(out.entries, shared, 'the array is a copy');
  assert.equal(out.entries, out.again, 'one list held in two places is still one list');
  assert.equal(out.entries[0], shared[0], 'the elements are the same objects');
});

test('compactArrays leaves frozen data, class instances, Maps and Sets as they are, and survives a cycle', () => {
  const frozen = Object.freeze({ start: Object.freeze([0, 0]) });
  class Box {
    items = [1, 2];
  }
  const box = new Box();
  const map = new Map([['a', [1]]]);
  const set = new Set([[2]]);
  const cyclic: { self?: unknown; list: unknown[] } = { list: [] };
  cyclic.self = cyclic;
  cyclic.list.push(cyclic);
  const tree = { frozen, box, map, set, cyclic };
  const boxItems = box.items;
  const mapList = map.get('a');
  compactArrays(tree);
  assert.equal(tree.frozen, frozen);
  assert.equal(box.items, boxItems, "a class instance's fields are its own business");
  assert.equal(map.get('a'), mapList);
  assert.equal(tree.cyclic.self, tree.cyclic);
  assert.equal(tree.cyclic.list[0], tree.cyclic);
});

test('exact copies a list without changing it', () => {
  const list = [1, 2, 3].filter((n) => n > 1);
  const copy = exact(list);
  assert.notEqual(copy, list);
  assert.deepEqual(copy, [2, 3]);
  assert.deepEqual(exact([]), []);
});

test('an indexed .env keeps its entries, their ranges and its problems through the compaction', () => {
  const text = 'PORT=3000\nAPI_URL=http://localhost:4000\nBROKEN LINE\n';
  const r = parseIndexedFile(
    '/ws/api/.env',
    'env',
    text,
    '/ws',
    { maxFileSize: 1 << 20, ruleIds: new Set(), keepText: false },
    { info() {}, warn() {}, error() {} },
  );
  assert.ok('entry' in r);
  const env = r.entry.env!;
  assert.deepEqual(
    env.entries.map((e) => [e.key, e.value, e.range.start.line]),
    [
      ['PORT', '3000', 0],
      ['API_URL', 'http://localhost:4000', 1],
    ],
  );
  assert.equal(r.entry.problems.length, 1);
  assert.equal(env.problems.length, 1, 'the file and its env facts report the same problem');
});
