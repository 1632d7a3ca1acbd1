import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { type GoLess, goSortSlice, goSortSliceBeforeGo124, goSorted } from '../../src/util/gosort.js';

// Vectors produced by Go's real sort.Slice: see test/fixtures/gosort/gen.go,
// which documents the four comparators reproduced below.
interface GoResult {
  out: number[];
  calls: number;
  trace: number;
}
interface Vector {
  name: string;
  ints: number[];
  strs: string[];
  int: GoResult;
  byKey: GoResult;
  route: GoResult;
  chaos: GoResult;
}

// The compiled test runs from dist/test/unit/, so go back to the project root.
const fixture = new URL('../../../test/fixtures/gosort/vectors.json', import.meta.url);
const { go: goVersion, vectors } = JSON.parse(readFileSync(fixture, 'utf8')) as {
  go: string;
  vectors: Vector[];
};

/** Counts calls and hashes their operands exactly like gen.go's tracer. */
class Tracer {
  calls = 0;
  hash = 2166136261;
  record(x: number, y: number): void {
    this.calls++;
    this.hash = Math.imul(this.hash ^ x, 16777619) >>> 0;
    this.hash = Math.imul(this.hash ^ y, 16777619) >>> 0;
  }
  result(out: number[]): GoResult {
    return { out, calls: this.calls, trace: this.hash };
  }
}

interface Rec {
  k: number;
  s: string;
  id: number;
}

const records = (v: Vector): Rec[] =>
  v.ints.map((k, id) => ({ k, s: v.strs[id] as string, id }));

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's strconv.Atoi (64-bit int): optional sign, decimal digits, in range. */
function atoi(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** istioctl-style route-name order: a < b only if both are integers. */
function routeLess(a: string, b: string): boolean {
  const x = atoi(a);
  if (x === undefined) return false;
  const y = atoi(b);
  if (y === undefined) return false;
  return x < y;
}

/** gen.go's chaosLess: an arbitrary, inconsistent answer per pair of ids. */
function chaosLess(x: number, y: number): boolean {
  let h = (Math.imul(x, 0x9e3779b1) + Math.imul(y, 0x85ebca77)) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d) >>> 0;
  h ^= h >>> 12;
  return (h & 1) === 1;
}

type Sort = <T>(items: T[], less: GoLess<T>) => void;

function runInt(v: Vector, sort: Sort): GoResult {
  const t = new Tracer();
  const data = [...v.ints];
  sort(data, (a, b) => {
    t.record(a, b);
    return a < b;
  });
  return t.result(data);
}

function runRecords(v: Vector, sort: Sort, less: (a: Rec, b: Rec) => boolean): GoResult {
  const t = new Tracer();
  const data = records(v);
  sort(data, (a, b) => {
    t.record(a.id, b.id);
    return less(a, b);
  });
  return t.result(data.map((r) => r.id));
}

function runAll(v: Vector, sort: Sort): Record<'int' | 'byKey' | 'route' | 'chaos', GoResult> {
  return {
    int: runInt(v, sort),
    byKey: runRecords(v, sort, (a, b) => a.k < b.k),
    route: runRecords(v, sort, (a, b) => routeLess(a.s, b.s)),
    chaos: runRecords(v, sort, (a, b) => chaosLess(a.id, b.id)),
  };
}

test(`goSortSlice matches Go's sort.Slice on the ${goVersion} vectors`, async (t) => {
  assert.ok(vectors.length > 300, 'vectors.json looks truncated');
  for (const v of vectors) {
    await t.test(v.name, () => {
      const got = runAll(v, goSortSlice);
      for (const kind of ['int', 'byKey', 'route', 'chaos'] as const) {
        assert.deepEqual(got[kind], v[kind], `${v.name}, ${kind} comparator`);
      }
    });
  }
});

test('up to 12 elements it is insertion sort, hence stable', () => {
  const recs = [3, 1, 2, 1, 3, 1, 2, 0, 2, 1, 3, 0].map((k, id) => ({ k, id }));
  goSortSlice(recs, (a, b) => a.k < b.k);
  assert.deepEqual(
    recs.map((r) => r.id),
    [7, 11, 1, 3, 5, 9, 2, 6, 8, 0, 4, 10],
  );
});

test('insertion sort with a non-strict comparator: non-numbers block moves', () => {
  // "1" cannot pass "x", because less("1", "x") is false.
  const names = ['10', '2', 'x', '1'];
  goSortSlice(names, routeLess);
  assert.deepEqual(names, ['2', '10', 'x', '1']);
});

test('empty and single-element slices make no comparisons', () => {
  const fail = (): boolean => assert.fail('less must not be called');
  goSortSlice([], fail);
  const one = ['a'];
  goSortSlice(one, fail);
  assert.deepEqual(one, ['a']);
});

test('from 13 elements it is not stable', () => {
  // Vector dups/13, whose result is identical in every Go release >= 1.19.
  const keys = [2, 2, 0, 0, 3, 3, 1, 3, 3, 4, 0, 1, 3];
  const recs = keys.map((k, id) => ({ k, id }));
  goSortSlice(recs, (a, b) => a.k < b.k);
  assert.deepEqual(
    recs.map((r) => r.id),
    [3, 10, 2, 6, 11, 0, 1, 4, 5, 7, 8, 12, 9],
  );
});

test('Go 1.24 changed breakPatterns, and with it the order of 14 route names', () => {
  // Vector dups/14 with the route comparator, as sorted by Go 1.19-1.23 and by
  // Go >= 1.24: the first partition is unbalanced, so breakPatterns runs.
  const names = ['blackhole', '-3', '+0', '-1', '1', '1', '1.5', '1', 'blackhole', '003', '002', '4', '-1', '1'];
  const sortedBy = (sort: Sort): number[] => {
    const recs = names.map((s, id) => ({ s, id }));
    sort(recs, (a, b) => routeLess(a.s, b.s));
    return recs.map((r) => r.id);
  };
  assert.deepEqual(sortedBy(goSortSliceBeforeGo124), [6, 0, 2, 3, 4, 5, 1, 7, 10, 9, 8, 11, 12, 13]);
  assert.deepEqual(sortedBy(goSortSlice), [6, 4, 2, 3, 0, 5, 8, 12, 1, 13, 7, 10, 9, 11]);
});

test("goSorted gives goSortSlice's order on the Go vectors: the engine's sort for distinct keys, the port for equal ones", () => {
  let distinct = 0;
  for (const v of vectors) {
    const recs = records(v);
    const byKey = goSorted(recs, (a, b) => a.k < b.k).map((r) => r.id);
    assert.deepEqual(byKey, v.byKey.out, `${v.name}, byKey`);
    const byId = goSorted(recs, (a, b) => a.id < b.id).map((r) => r.id);
    assert.deepEqual(byId, [...recs].map((r) => r.id).sort((a, b) => a - b), `${v.name}, by id`);
    if (new Set(recs.map((r) => r.k)).size === recs.length) distinct++;
  }
  assert.ok(distinct > 0 && distinct < vectors.length, 'vectors with and without equal keys');
});
