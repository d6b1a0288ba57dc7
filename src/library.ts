// The contract library: what a receiver or a client needs to validate against the
// contracts, and nothing that serves or runs tests. It is the entry point of the
// smn-kit-contract package (only Ajv, ajv-formats and content-type at run time); the kit re-exports it.
export { loadSmnContract, loadSmnContractFile, smnSpecPath, smnSpecJsonPath } from './contract/smn.js';
export type { SmnContract, SmnErrorBody, GatewayErrorBody, DocumentedError, TopicUrnErrors } from './contract/smn.js';
export { smnResponses, guessSmnOperation } from './contract/smn-responses.js';
export type { SmnResponses, SmnOperation, SmnProblem } from './contract/smn-responses.js';
export type { Problem } from './contract/problem.js';
export { signRequest, verifyRequestSignature, canonicalRequest, parseAuthorization, sdkDate, SIGNING_ALGORITHM } from './auth/aksk.js';
export type { SignableRequest, Credentials, ParsedAuthorization, Verification } from './auth/aksk.js';
export * from './subhook/index.js';
export * from './notification/index.js';
