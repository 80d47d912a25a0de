// The fault-injection suite (`npm run test:faults`): the production split under injected faults, apart from
// `npm test` because it drives a load for minutes. Same transforms, setup and teardown as the end-to-end tests.
const base = require('./jest.config.js');
const e2e = base.projects.find((project) => project.displayName === 'e2e');

module.exports = {
  projects: [{ ...e2e, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.faults-spec.ts'] }],
};
