module.exports = { ...require('../../jest.preset.js'), displayName: 'gemini-sim', rootDir: __dirname };
