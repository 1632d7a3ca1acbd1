/** goJson (§1.3), goYaml (§1.4), --query (compileQuery/runQuery) and render(). */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {parse as parseYaml} from 'yaml'
import type {Json} from '../../src/envoy/fields.js'
import {UsageError} from '../../src/errors/index.js'
import {goJson} from '../../src/output/json.js'
import {compileQuery, runQuery} from '../../src/output/query.js'
import {render, renderShort} from '../../src/output/render.js'
import {goYaml} from '../../src/output/yaml.js'
import type {ViewResult} from '../../src/views/types.js'

describe('goJson', () => {
  test('4-space indent, Go escapes for < > & and U+2028/2029, key order kept', () => {
    const out = goJson({z: '<a href="x">&amp;</a>', a: ['\u2028', '\u2029'], e: [], o: {}, n: 1.5, b: false, nil: null})
    assert.equal(
      out,
      [
        '{',
        '    "z": "\\u003ca href=\\"x\\"\\u003e\\u0026amp;\\u003c/a\\u003e",',
        '    "a": [',
        '        "\\u2028",',
        '        "\\u2029"',
        '    ],',
        '    "e": [],',
        '    "o": {},',
        '    "n": 1.5,',
        '    "b": false,',
        '    "nil": null',
        '}',
      ].join('\n'),
    )
    assert.deepEqual(JSON.parse(out), {z: '<a href="x">&amp;</a>', a: ['\u2028', '\u2029'], e: [], o: {}, n: 1.5, b: false, nil: null})
  })

  test('empty array prints []', () => {
    assert.equal(goJson([]), '[]')
  })

  test('non-ASCII is kept as is (Go does not escape it)', () => {
    assert.equal(goJson({k: 'ü日😀'}), '{\n    "k": "ü日😀"\n}')
  })
})

describe('goYaml (sigs.k8s.io/yaml JSONToYAML, go-yaml v2)', () => {
  test('keys sorted at every level, sequences not indented, 2-space maps', () => {
    const out = goYaml({b: [{y2: 1, x: {d: 1, c: 2}}, 'plain', ['n1', 'n2']], a: 'x', '@type': 't'})
    assert.equal(
      out,
      ["'@type': t", 'a: x', 'b:', '- x:', '    c: 2', '    d: 1', '  y2: 1', '- plain', '- - n1', '  - n2', ''].join('\n'),
    )
  })

  const scalars: Array<{in: unknown; want: string; todo?: string}> = [
    {in: '1605', want: '"1605"'},
    {in: 1605, want: '1605'},
    {in: '2022-12-08T11:03:53.361Z', want: '"2022-12-08T11:03:53.361Z"'},
    {in: '2022-12-08', want: '"2022-12-08"'},
    {in: '@type', want: "'@type'"},
    {in: '{"Component":"istiod"}', want: `'{"Component":"istiod"}'`},
    {in: 'true', want: '"true"'},
    {in: 'false', want: '"false"'},
    {in: 'null', want: '"null"'},
    {in: '~', want: '"~"'},
    {in: 'yes', want: '"yes"'},
    {in: 'on', want: '"on"'},
    {in: 'Off', want: '"Off"'},
    {in: 'y', want: '"y"'},
    {in: '1.5', want: '"1.5"'},
    {in: '.5', want: '".5"'},
    {in: '+1', want: '"+1"'},
    {in: '1e3', want: '"1e3"'},
    {in: '0x1F', want: '"0x1F"'},
    {in: '010', want: '"010"'},
    {in: '1:20', want: '"1:20"'},
    {in: '.inf', want: '".inf"'},
    {in: 'a: b', want: "'a: b'"},
    {in: '#c', want: "'#c'"},
    {in: '*star', want: "'*star'"},
    {in: ' lead', want: "' lead'"},
    {in: 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump', want: 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump'},
    {in: 'outbound|9080||reviews.default.svc.cluster.local', want: 'outbound|9080||reviews.default.svc.cluster.local'},
    {in: 'ü', want: 'ü'},
    {in: true, want: 'true'},
    {in: null, want: 'null'},
    // go-yaml v2: "" resolves to null, so it is double-quoted (kubectl prints `name: ""`)
    {in: '', want: '""'},
    // go-yaml v2 resolves these as strings and asks for plain style; the emitter then falls back to single quotes
    {in: 'foo: bar', want: "'foo: bar'"},
    {in: '- x', want: "'- x'"},
    {in: '-', want: "'-'"},
    // go-yaml's resolve() takes the whole text, which is no number, bool or null with a comment or a space after it:
    // plain asked for, then single quotes from the emitter (a parse of the text would drop the comment and the space)
    {in: '123 # c', want: "'123 # c'"},
    {in: 'null # x', want: "'null # x'"},
    {in: '1 ', want: "'1 '"},
    // YAML 1.1 forms beyond the obvious ones
    {in: '0b101', want: '"0b101"'},
    {in: '1_000', want: '"1_000"'},
    {in: '190:20:30.15', want: '"190:20:30.15"'},
    {in: '2001-12-14t21:59:43.10-05:00', want: '"2001-12-14t21:59:43.10-05:00"'},
    {in: 'NO', want: '"NO"'},
    // not in go-yaml v2's resolve table (only .nan, .NaN, .NAN): plain
    {in: 'NaN', want: 'NaN'},
  ]
  for (const c of scalars) {
    test(`scalar ${JSON.stringify(c.in)} → ${c.want}`, {todo: c.todo}, () => {
      assert.equal(goYaml({k: c.in}), `k: ${c.want}\n`)
      // whatever the quoting, the value reads back as the same data
      assert.deepEqual(parseYaml(goYaml({k: c.in}), {version: '1.1'}), {k: c.in})
    })
  }

  test('keys that YAML 1.1 reads as booleans are quoted', () => {
    assert.equal(goYaml({y: 1, n: 2, ok: 3}), '"n": 2\nok: 3\n"y": 1\n')
  })

  test('multi-line strings use a literal block, long strings are not folded', () => {
    const long = 'x'.repeat(200)
    assert.equal(goYaml({l: 'line1\nline2', m: long}), `l: |-\n  line1\n  line2\nm: ${long}\n`)
  })

  test('empty containers', () => {
    assert.equal(goYaml({a: [], b: {}}), 'a: []\nb: {}\n')
  })
})

describe('compileQuery', () => {
  const errors: Array<{q: string; match: RegExp}> = [
    {q: 'a | | b', match: /at position 4\b/},
    {q: 'foo[', match: /at the end/},
    {q: 'foo.', match: /at the end/},
    {q: 'a b', match: /at position 2\b/},
    {q: '', match: /empty/},
    {q: '   ', match: /empty/},
  ]
  for (const c of errors) {
    test(`${JSON.stringify(c.q)} is a usage error (exit 2)`, () => {
      assert.throws(
        () => compileQuery(c.q),
        (err: unknown) => {
          assert.ok(err instanceof UsageError, String(err))
          assert.equal(err.exitCode, 2)
          assert.match(err.message, c.match)
          assert.doesNotMatch(err.oneLine, /\n/)
          return true
        },
      )
    })
  }

  const data = {
    clusters: [
      {name: 'outbound|9080||reviews', port: 9080, tags: ['a']},
      {name: 'BlackHoleCluster', port: 0, tags: []},
    ],
  }
  const runs: Array<{q: string; want: unknown}> = [
    {q: 'clusters[].name', want: ['outbound|9080||reviews', 'BlackHoleCluster']},
    {q: 'clusters[?port > `0`].name | [0]', want: 'outbound|9080||reviews'},
    {q: 'length(clusters)', want: 2},
    {q: "clusters[?contains(name, 'Black')].port", want: [0]},
    {q: 'missing', want: null},
    {q: 'clusters[0].tags', want: ['a']},
    {q: '{n: clusters[1].name}', want: {n: 'BlackHoleCluster'}},
  ]
  for (const c of runs) {
    test(`runQuery ${c.q}`, () => {
      assert.deepEqual(runQuery(compileQuery(c.q), data), c.want)
    })
  }

  test('a runtime type error is a usage error naming the expression', () => {
    assert.throws(
      () => runQuery(compileQuery('length(a)'), {a: 1}),
      (err: unknown) => err instanceof UsageError && err.exitCode === 2 && err.message.includes('length(a)'),
    )
  })
})

describe('render', () => {
  const result: ViewResult = {
    blocks: [
      {kind: 'table', rows: [['A', 'B'], ['1', '']], padding: 5},
      {kind: 'text', text: '\n'},
      {kind: 'table', rows: [['x', 'y']], padding: 1},
    ],
    data: (): Json => [{name: 'a<b', port: '1605'}, {name: 'c'}],
  }

  test('short joins blocks in order', () => {
    assert.equal(render(result, {format: 'short'}), 'A     B\n1     \n\nx y\n')
    assert.equal(renderShort(result), 'A     B\n1     \n\nx y\n')
  })

  test('json is goJson of data plus newline', () => {
    assert.equal(render(result, {format: 'json'}), `${goJson(result.data())}\n`)
    assert.match(render(result, {format: 'json'}), /"a\\u003cb"/)
  })

  test('yaml adds one more newline after the converter output', () => {
    assert.equal(render(result, {format: 'yaml', toYaml: goYaml}), '- name: a<b\n  port: "1605"\n- name: c\n\n')
  })

  test('query + yaml', () => {
    assert.equal(render(result, {format: 'yaml', toYaml: goYaml, query: compileQuery('[].port')}), '- "1605"\n\n')
  })

  test('query + json, and query on short prints JSON', () => {
    assert.equal(render(result, {format: 'json', query: compileQuery('[1]')}), '{\n    "name": "c"\n}\n')
    assert.equal(render(result, {format: 'short', query: compileQuery('[0].name')}), '"a\\u003cb"\n')
  })

  test('rawJson is echoed unchanged for json, converted for yaml, queried for --query', () => {
    const raw: ViewResult = {...result, rawJson: () => '{"configs": [], "b_c": "<"}'}
    assert.equal(render(raw, {format: 'json'}), '{"configs": [], "b_c": "<"}\n')
    assert.equal(render(raw, {format: 'yaml', toYaml: goYaml}), "b_c: <\nconfigs: []\n\n")
    assert.equal(render(raw, {format: 'json', query: compileQuery('b_c')}), '"\\u003c"\n')
  })

  test('yaml without a converter is a programming error', () => {
    assert.throws(() => render(result, {format: 'yaml'}), /YAML/)
  })
})
