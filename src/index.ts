// The smn-kit library: what receivers, clients and the kit itself import.
export { loadSmnContract, smnSpecPath } from './contract/smn.js';
export type { SmnContract, SmnErrorBody, GatewayErrorBody, DocumentedError } from './contract/smn.js';
export { startMock, createHandler, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_BODY_BYTES } from './mock/server.js';
export type { MockOptions, RunningMock } from './mock/server.js';
export * from './subhook/index.js';
