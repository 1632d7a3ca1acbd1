/** An error in the generator's input (unknown proxy, bad option): the CLI prints its message on one line. */
export class GenError extends Error {
  override name = 'GenError'
}
