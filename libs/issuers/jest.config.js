module.exports = {
  ...require('../../jest.preset.js'),
  ...require('../testing/src/jest/google-auth-jest.js'),
  displayName: 'issuers',
  rootDir: __dirname,
};
