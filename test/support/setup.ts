// Run before each test file (vitest's setupFiles). The files of a worker share the
// modules they import (the kit project is not isolated), so a hook a shared helper
// registered when first imported would serve only the first file: the helpers' cleanups
// are registered here instead, for every file.
import { afterEach } from 'vitest';
import { stopStarted } from './command.js';
import { closeTestMocks } from './mocks.js';
import { killChildren } from './serve.js';

afterEach(async () => {
  killChildren();
  await stopStarted();
  await closeTestMocks();
});
