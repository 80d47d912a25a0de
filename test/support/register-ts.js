// Lets a plain `node -r ./test/support/register-ts.js file.ts` run our TypeScript, for tests that need a
// real child process (killing it, restarting it) rather than code inside a jest worker. It compiles with
// the project's .swcrc and resolves the `@zhenggai/*` aliases as tsconfig.json does.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');
require('./path-aliases');

const swcOptions = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../.swcrc'), 'utf8'));
delete swcOptions.$schema;

require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    ...swcOptions,
    filename,
    swcrc: false,
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
