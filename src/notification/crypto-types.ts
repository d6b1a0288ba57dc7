// What the library's public signatures need of node:crypto's objects, declared here so
// that its published .d.ts files compile in a project without @types/node (`tsc --init`
// writes `types: []`). node:crypto's X509Certificate and KeyObject have these members,
// so a consumer with Node's types passes them as they are; the library checks at run
// time that it was given the real ones.

/** An `X509Certificate` of node:crypto. */
export interface X509CertificateLike {
  readonly raw: Uint8Array;
  readonly subject: string;
}

/** A `KeyObject` of node:crypto. */
export interface KeyObjectLike {
  readonly type: 'secret' | 'public' | 'private';
  readonly asymmetricKeyType?: string | undefined;
}
