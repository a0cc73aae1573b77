module.exports = { ...require('../../jest.preset.js'), displayName: 'quota', rootDir: __dirname };
