/** Temporary folders for tests: the helper lives in src/common/testing so unit tests under src/ can use it too. */
export { sharedDir, tempDir } from '../../src/common/testing/tempDir.js';
