// The tsconfig path aliases (`@zhenggai/<lib>` → libs/<lib>/src) for code that runs outside jest's module
// registry, where jest.config.js's moduleNameMapper does not apply: jest's globalSetup and the child
// processes some tests start (see register-ts.js).
'use strict';
const path = require('node:path');
const Module = require('node:module');

const root = path.resolve(__dirname, '../..');

if (!Module._resolveFilename.zhenggaiAliases) {
  const resolveFilename = Module._resolveFilename;
  const withAliases = function (request, ...rest) {
    const alias = /^@zhenggai\/([\w-]+)$/.exec(request);
    return resolveFilename.call(this, alias ? path.join(root, 'libs', alias[1], 'src') : request, ...rest);
  };
  withAliases.zhenggaiAliases = true;
  Module._resolveFilename = withAliases;
}
