module.exports = { ...require('../../jest.preset.js'), displayName: 'batches', rootDir: __dirname };
