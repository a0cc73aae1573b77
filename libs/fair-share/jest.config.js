module.exports = { ...require('../../jest.preset.js'), displayName: 'fair-share', rootDir: __dirname };
