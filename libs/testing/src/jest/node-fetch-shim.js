// Jest cannot run gaxios' `await import('node-fetch')` (no dynamic import in its VM without a flag):
// specs that reach Google's auth library map node-fetch to Node's own fetch (see their jest.config.js).
module.exports = { __esModule: true, default: (...args) => globalThis.fetch(...args) };
