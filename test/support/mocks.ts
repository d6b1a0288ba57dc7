// The mocks a test starts in this process, closed after every test of every file
// (setup.ts), so that no test file repeats the bookkeeping and none leaves a port open.
import { startMock, type MockOptions, type RunningMock } from '../../src/mock/server.js';

const started: RunningMock[] = [];

/** A mock on a free port, closed once the test ends. */
export async function startTestMock(options: MockOptions = {}): Promise<RunningMock> {
  const mock = await startMock({ port: 0, ...options });
  started.push(mock);
  return mock;
}

export async function closeTestMocks(): Promise<void> {
  await Promise.all(started.splice(0).map((mock) => mock.close()));
}
