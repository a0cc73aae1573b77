// Jest settings for projects whose specs call google-auth-library / google-gax: gaxios is compiled
// (so its dynamic import becomes require) and node-fetch is Node's own fetch.
const path = require('node:path');
const preset = require('../../../../jest.preset.js');

module.exports = {
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|nestjs-pino|gaxios)/)'],
  moduleNameMapper: {
    ...preset.moduleNameMapper,
    '^node-fetch$': path.join(__dirname, 'node-fetch-shim.js'),
  },
};
