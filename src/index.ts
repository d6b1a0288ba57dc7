// The smn-kit package: the contract library, and the pieces of the kit a program can
// drive itself (the mock, the conformance engine).
export * from './library.js';
export { startMock, createHandler, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_BODY_BYTES, DEFAULT_PROJECT_ID } from './mock/server.js';
export type { MockOptions, RunningMock } from './mock/server.js';
export { runConformance } from './conformance/runner.js';
export { checks } from './conformance/checks.js';
export type { CheckResult } from './conformance/check.js';
export { resolveOptions as conformanceOptions } from './conformance/options.js';
export type { ConformanceOptions } from './conformance/options.js';
export { runReceiverConformance, SMN_PRODUCT } from './conformance/receiver/run.js';
export type { ReceiverConformanceOptions, ReceiverConformance, SmnRoleOptions } from './conformance/receiver/run.js';
