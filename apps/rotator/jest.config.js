module.exports = { ...require('../../jest.preset.js'), displayName: 'rotator', rootDir: __dirname };
