/**
 * An exact port of Go's `sort.Slice`, so that meshctl orders table rows
 * byte-for-byte like istioctl does.
 *
 * `sort.Slice` is not stable: since Go 1.19 it is pattern-defeating quicksort
 * (`pdqsort_func` in Go's `src/sort/zsortfunc.go`). When the comparator has
 * ties, or is not even a strict weak ordering (istioctl's route sort says
 * "a < b only if both names parse as integers"), the final order depends on
 * the exact sequence of comparisons and swaps the algorithm performs. This
 * file therefore mirrors Go step by step: the same comparisons, with the same
 * operand order, and the same swaps. Do not "simplify" any of it (for example
 * `less(b, a)` must not become `!less(a, b)`), or results will drift from Go's.
 *
 * Go calls `less(i, j)` with indexes; here `less` receives the elements found
 * at those indexes at the time of the call. That is equivalent, because Go's
 * swaps move the elements themselves.
 *
 * Versions: the algorithm is byte-identical in Go 1.19 to 1.26, except for the
 * xorshift generator that `breakPatterns` uses to scramble a few elements
 * after an unbalanced partition. Go 1.24 changed its shift constants from
 * (13, 17, 5) to (13, 7, 17) (golang/go#70144). `goSortSlice` follows Go >= 1.24
 * (istioctl 1.30 is built with Go 1.24/1.25); `goSortSliceBeforeGo124` follows
 * Go 1.19 to 1.23. Both give the same result unless a partition was badly
 * unbalanced, which needs more than 12 elements and an unlucky input.
 *
 * `slices.SortFunc(x, cmp)` runs the same algorithm with `less = cmp(a, b) < 0`.
 */

/** Reports whether `a` must sort before `b`; istioctl's comparators may be inconsistent. */
export type GoLess<T> = (a: T, b: T) => boolean;

/** One step of a 64-bit xorshift generator; the state is kept in a bigint. */
type XorshiftStep = (state: bigint) => bigint;

const UINT64 = (1n << 64n) - 1n;

/** Go >= 1.24: `x ^= x << 13; x ^= x >> 7; x ^= x << 17`. */
const xorshiftGo124: XorshiftStep = (x) => {
  x ^= (x << 13n) & UINT64;
  x ^= x >> 7n;
  x ^= (x << 17n) & UINT64;
  return x;
};

/** Go 1.19 to 1.23: `x ^= x << 13; x ^= x >> 17; x ^= x << 5`. */
const xorshiftGo119: XorshiftStep = (x) => {
  x ^= (x << 13n) & UINT64;
  x ^= x >> 17n;
  x ^= (x << 5n) & UINT64;
  return x;
};

/**
 * Sorts `items` in place exactly as Go's `sort.Slice(items, less)` does
 * (Go >= 1.24; see `goSortSliceBeforeGo124` for older toolchains).
 */
export function goSortSlice<T>(items: T[], less: GoLess<T>): void {
  new PdqSorter(items, less, xorshiftGo124).sort();
}

/**
 * A sorted copy of `items`, as `goSortSlice` would leave them, for a `less` that is a strict weak order. When no
 * two items are equal under `less` there is one sorted order, whatever the algorithm: the engine's own sort
 * gives it, several times faster than the port in a short-lived process (which runs the port before the JIT has
 * warmed up). Equal items are handed to the port, which leaves them where Go's unstable algorithm does.
 */
export function goSorted<T>(items: readonly T[], less: GoLess<T>): T[] {
  const out = [...items].sort((a, b) => (less(a, b) ? -1 : less(b, a) ? 1 : 0))
  for (let i = 1; i < out.length; i++) {
    if (!less(out[i - 1]!, out[i]!)) {
      const go = [...items]
      goSortSlice(go, less)
      return go
    }
  }
  return out
}

/** Like `goSortSlice`, but as built with Go 1.19 to 1.23 (older breakPatterns generator). */
export function goSortSliceBeforeGo124<T>(items: T[], less: GoLess<T>): void {
  new PdqSorter(items, less, xorshiftGo119).sort();
}

/** Go's `bits.Len`: the number of bits needed to write `n` (0 for 0). */
function bitLength(n: number): number {
  return n === 0 ? 0 : 32 - Math.clz32(n);
}

/** Integer division of non-negative numbers, like Go's `/` on ints. */
function div(a: number, b: number): number {
  return Math.floor(a / b);
}

/** What the pivot sample says about the order of the range being sorted. */
const Hint = { Unknown: 0, Increasing: 1, Decreasing: 2 } as const;
type Hint = (typeof Hint)[keyof typeof Hint];

/** Ranges this short are insertion sorted (Go's `maxInsertion`). */
const MAX_INSERTION = 12;
/** From this length the pivot is a median of three medians (Tukey's ninther). */
const SHORTEST_NINTHER = 50;
/** Swap count of the ninther when all 12 of its comparisons found a descending pair. */
const MAX_PIVOT_SWAPS = 4 * 3;
/** partialInsertionSort fixes at most this many out-of-order pairs... */
const MAX_SHIFT_STEPS = 5;
/** ...and only in ranges at least this long. */
const SHORTEST_SHIFTING = 50;

/**
 * The sorting state: the slice, the comparator, and Go's helpers as methods.
 * Index arguments are always positions in `data`, as in Go; ranges are
 * half-open `[a, b)`.
 */
class PdqSorter<T> {
  /** How many pairs choosePivot found in descending order (Go's `swaps`). */
  private pivotSwaps = 0;

  constructor(
    private readonly data: T[],
    private readonly lessFn: GoLess<T>,
    private readonly xorshift: XorshiftStep,
  ) {}

  sort(): void {
    const n = this.data.length;
    // Number of bad pivots tolerated before giving up on quicksort.
    this.pdqsort(0, n, bitLength(n));
  }

  private less(i: number, j: number): boolean {
    return this.lessFn(this.data[i] as T, this.data[j] as T);
  }

  private swap(i: number, j: number): void {
    const d = this.data;
    const t = d[i] as T;
    d[i] = d[j] as T;
    d[j] = t;
  }

  private insertionSort(a: number, b: number): void {
    for (let i = a + 1; i < b; i++) {
      for (let j = i; j > a && this.less(j, j - 1); j--) {
        this.swap(j, j - 1);
      }
    }
  }

  /**
   * Restores the max-heap property below `root` in the heap stored at
   * `data[first + lo, first + hi)`, heap positions being relative to `first`.
   */
  private siftDown(lo: number, hi: number, first: number): void {
    let root = lo;
    for (;;) {
      let child = 2 * root + 1;
      if (child >= hi) return;
      if (child + 1 < hi && this.less(first + child, first + child + 1)) child++;
      if (!this.less(first + root, first + child)) return;
      this.swap(first + root, first + child);
      root = child;
    }
  }

  private heapSort(a: number, b: number): void {
    const first = a;
    const hi = b - a;
    for (let i = div(hi - 1, 2); i >= 0; i--) this.siftDown(i, hi, first);
    // Move the current maximum to the end, shrink the heap, repeat.
    for (let i = hi - 1; i >= 0; i--) {
      this.swap(first, first + i);
      this.siftDown(0, i, first);
    }
  }

  /**
   * Sorts `data[a, b)`. Recurses into the shorter side of each partition and
   * loops on the longer one; `wasBalanced` and `wasPartitioned` describe the
   * previous partition of this loop and steer the heuristics.
   */
  private pdqsort(a: number, b: number, limit: number): void {
    let wasBalanced = true;
    let wasPartitioned = true;

    for (;;) {
      const length = b - a;

      if (length <= MAX_INSERTION) {
        this.insertionSort(a, b);
        return;
      }

      // Too many unbalanced partitions: switch to the O(n log n) fallback.
      if (limit === 0) {
        this.heapSort(a, b);
        return;
      }

      if (!wasBalanced) {
        this.breakPatterns(a, b);
        limit--;
      }

      let [pivot, hint]: [number, Hint] = this.choosePivot(a, b);
      if (hint === Hint.Decreasing) {
        // Probably a descending run: reverse it, and follow the pivot to its
        // mirrored position.
        this.reverseRange(a, b);
        pivot = b - 1 - (pivot - a);
        hint = Hint.Increasing;
      }

      // Probably already sorted: try to finish with a few local fixes.
      if (wasBalanced && wasPartitioned && hint === Hint.Increasing) {
        if (this.partialInsertionSort(a, b)) return;
      }

      // data[a-1] is a pivot of an enclosing partition, so nothing here is
      // smaller than it. If the new pivot is not greater than it either, the
      // range likely holds many copies of it: split off the elements equal
      // to the pivot (they need no further sorting) and continue with the rest.
      if (a > 0 && !this.less(a - 1, pivot)) {
        a = this.partitionEqual(a, b, pivot);
        continue;
      }

      const [mid, alreadyPartitioned] = this.partition(a, b, pivot);
      wasPartitioned = alreadyPartitioned;

      const leftLen = mid - a;
      const rightLen = b - mid;
      const balanceThreshold = div(length, 8);
      if (leftLen < rightLen) {
        wasBalanced = leftLen >= balanceThreshold;
        this.pdqsort(a, mid, limit);
        a = mid + 1;
      } else {
        wasBalanced = rightLen >= balanceThreshold;
        this.pdqsort(mid + 1, b, limit);
        b = mid;
      }
    }
  }

  /**
   * Hoare-style partition around `data[pivot]`, which is first parked at `a`:
   * afterwards the elements before the returned index are less than the
   * pivot, the pivot sits at that index, and the rest are not less than it.
   * Also reports whether no element had to be moved.
   */
  private partition(a: number, b: number, pivot: number): [number, boolean] {
    this.swap(a, pivot);
    // i and j are inclusive bounds of the part still to be examined.
    let i = a + 1;
    let j = b - 1;

    while (i <= j && this.less(i, a)) i++;
    while (i <= j && !this.less(j, a)) j--;
    if (i > j) {
      this.swap(j, a);
      return [j, true];
    }
    this.swap(i, j);
    i++;
    j--;

    for (;;) {
      while (i <= j && this.less(i, a)) i++;
      while (i <= j && !this.less(j, a)) j--;
      if (i > j) break;
      this.swap(i, j);
      i++;
      j--;
    }
    this.swap(j, a);
    return [j, false];
  }

  /**
   * Splits `data[a, b)`, assumed to hold nothing less than `data[pivot]`,
   * into elements equal to the pivot followed by greater ones; returns the
   * start of the greater ones. The pivot is parked at `a` and compared on
   * the left of `less` here (unlike in `partition`).
   */
  private partitionEqual(a: number, b: number, pivot: number): number {
    this.swap(a, pivot);
    let i = a + 1;
    let j = b - 1;

    for (;;) {
      while (i <= j && !this.less(a, i)) i++;
      while (i <= j && this.less(a, j)) j--;
      if (i > j) break;
      this.swap(i, j);
      i++;
      j--;
    }
    return i;
  }

  /**
   * Tries to finish a nearly sorted range by fixing at most MAX_SHIFT_STEPS
   * adjacent out-of-order pairs; returns true if the range ended up sorted.
   * Short ranges are only checked, never modified.
   */
  private partialInsertionSort(a: number, b: number): boolean {
    let i = a + 1;
    for (let step = 0; step < MAX_SHIFT_STEPS; step++) {
      while (i < b && !this.less(i, i - 1)) i++;
      if (i === b) return true;
      if (b - a < SHORTEST_SHIFTING) return false;

      this.swap(i, i - 1);

      // Move the smaller element of the pair left to its place. Go's loop
      // stops at index 1, not at a + 1, so with an inconsistent comparator an
      // element can travel below `a` into an already sorted prefix.
      // Reproduced on purpose.
      if (i - a >= 2) {
        for (let k = i - 1; k >= 1; k--) {
          if (!this.less(k, k - 1)) break;
          this.swap(k, k - 1);
        }
      }
      // Move the greater element of the pair right to its place.
      if (b - i >= 2) {
        for (let k = i + 1; k < b; k++) {
          if (!this.less(k, k - 1)) break;
          this.swap(k, k - 1);
        }
      }
    }
    return false;
  }

  /**
   * After an unbalanced partition, swaps the three middle elements of the
   * range with pseudo-random ones, so that an adversarial or patterned input
   * cannot keep producing bad pivots. The generator is reseeded with the
   * range length on every call, so the result is deterministic.
   */
  private breakPatterns(a: number, b: number): void {
    const length = b - a;
    if (length < 8) return;

    let random = BigInt(length);
    // The smallest power of two greater than length (not >=: 8 gives 16).
    const mask = BigInt(2 ** bitLength(length) - 1);
    const middle = a + div(length, 4) * 2;
    for (let idx = middle - 1; idx <= middle + 1; idx++) {
      random = this.xorshift(random);
      let other = Number(random & mask);
      if (other >= length) other -= length;
      this.swap(idx, a + other);
    }
  }

  /**
   * Picks the pivot for `data[a, b)` (b - a > 12 here): the median of the
   * elements at 1/4, 2/4 and 3/4 of the range, each first replaced by the
   * median of itself and its two neighbours when the range has at least 50
   * elements. Nothing is moved; the hint says whether every comparison saw
   * ascending pairs (Increasing) or descending pairs (Decreasing).
   */
  private choosePivot(a: number, b: number): [number, Hint] {
    const l = b - a;
    let i = a + div(l, 4) * 1;
    let j = a + div(l, 4) * 2;
    let k = a + div(l, 4) * 3;
    this.pivotSwaps = 0;

    if (l >= 8) {
      if (l >= SHORTEST_NINTHER) {
        i = this.median(i - 1, i, i + 1);
        j = this.median(j - 1, j, j + 1);
        k = this.median(k - 1, k, k + 1);
      }
      j = this.median(i, j, k);
    }

    if (this.pivotSwaps === 0) return [j, Hint.Increasing];
    if (this.pivotSwaps === MAX_PIVOT_SWAPS) return [j, Hint.Decreasing];
    return [j, Hint.Unknown];
  }

  /**
   * Returns the index holding the median of `data[a]`, `data[b]`, `data[c]`,
   * with the three compare-exchanges of Go's `order2` (on indexes only),
   * counting in `pivotSwaps` how many pairs were out of order.
   */
  private median(a: number, b: number, c: number): number {
    if (this.less(b, a)) {
      this.pivotSwaps++;
      [a, b] = [b, a];
    }
    if (this.less(c, b)) {
      this.pivotSwaps++;
      [b, c] = [c, b];
    }
    if (this.less(b, a)) {
      this.pivotSwaps++;
      [a, b] = [b, a];
    }
    return b;
  }

  private reverseRange(a: number, b: number): void {
    for (let i = a, j = b - 1; i < j; i++, j--) this.swap(i, j);
  }
}
