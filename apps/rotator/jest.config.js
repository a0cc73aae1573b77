module.exports = {
  ...require('../../jest.preset.js'),
  // The google-api-keys issuer runs in-process: its auth library needs these settings under Jest.
  ...require('../../libs/testing/src/jest/google-auth-jest.js'),
  displayName: 'rotator',
  rootDir: __dirname,
};
