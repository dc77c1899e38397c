/** Throwaway TLS material for tests: the helper lives in src/common/testing so unit tests under src/ can use it too. */
export { makeTestCertificates, type TestCertificates } from '../../src/common/testing/certificates.js';
