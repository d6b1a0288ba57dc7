// A problem the user of `smn-kit fire` can fix (an argument, an override, the receiver's
// address): the command prints the message on one line and exits 2.
export class FireError extends Error {
  override readonly name = 'FireError';
}
