/** goLess is Go's `<` on strings: byte order of the UTF-8 encodings (not JavaScript's UTF-16 order). */
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {goLess, goLessOver, goSortStrings} from '../../src/istiod/xds-types.js'

const utf8Less = (a: string, b: string): boolean => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')) < 0

test('the same answer as comparing UTF-8 bytes, on strings mixing ASCII, BMP above the surrogates, and astral characters', () => {
  const alphabet = ['a', 'b', 'z', '.', '-', 'é', '\uE000', '\uFFFD', '😀', '𝔸', '\u0000', '中']
  let s = 1
  const next = (n: number): number => {
    s = (s * 1103515245 + 12345) & 0x7fffffff
    return s % n
  }
  const word = (): string => Array.from({length: next(5)}, () => alphabet[next(alphabet.length)]).join('')
  for (let k = 0; k < 20_000; k++) {
    const a = word()
    const b = next(4) === 0 ? a + word() : word()
    assert.equal(goLess(a, b), utf8Less(a, b), JSON.stringify([a, b]))
    assert.equal(goLess(b, a), utf8Less(b, a), JSON.stringify([b, a]))
  }
  // where JavaScript's order is wrong: an astral character sorts after U+E000..U+FFFF in UTF-8
  assert.equal('😀' < '\uE000', true)
  assert.equal(goLess('😀', '\uE000'), false)
  assert.deepEqual(goSortStrings(['😀', '\uE000', 'a']), ['a', '\uE000', '😀'])
})

test('goLessOver: the native comparison only where it agrees with UTF-8 byte order', () => {
  const ascii = ['reviews-v1-abc.bookinfo', 'Reviews.x', 'é-pod.ns', '中.ns', '\u0000']
  const native = goLessOver(ascii)
  assert.notEqual(native, goLess)
  for (const a of ascii) for (const b of ascii) assert.equal(native(a, b), utf8Less(a, b), JSON.stringify([a, b]))
  // one value from U+D800 up (a surrogate half of an astral character, or U+E000..U+FFFF): Go's comparison
  assert.equal(goLessOver([...ascii, '😀.ns']), goLess)
  assert.equal(goLessOver([...ascii, '\uE000.ns']), goLess)
  assert.equal(goLessOver([]) === goLess, false)
})
