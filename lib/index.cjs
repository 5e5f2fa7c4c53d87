// The package's entry for require('dialog-race-checker'), and for a model file
// that tsx compiles as CommonJS (a .ts file in a folder whose package.json does
// not say "type": "module"): src/api.ts loaded through tsx's require.
const { require: tsxRequire } = require('tsx/cjs/api');

module.exports = tsxRequire('../src/api.ts', __filename);
