module.exports = { ...require('../../jest.preset.js'), displayName: 'accounting', rootDir: __dirname };
