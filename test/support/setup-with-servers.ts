// Runs in every integration and end-to-end test file (jest.config.js), after its environment is set up.
import { closeWhatThisFileOpened } from './opened-for-this-file';

// Tests, and hooks that start PostgreSQL databases, apps, servers and browsers, get timeouts sized for a loaded
// 2-core machine (CI shares its cores with other work). jest reads `testTimeout` from the global
// configuration only, where it keeps unit tests on a short leash.
jest.setTimeout(180_000);

// Registered first at the top level, so it runs after the afterAll hooks of the file's describe blocks.
afterAll(() => closeWhatThisFileOpened());
