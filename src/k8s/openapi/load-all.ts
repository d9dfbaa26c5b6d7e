// Importing this module loads the OpenAPI data of every version before the importer runs (top-level await):
// for tests and command lines, which evaluate synchronously afterwards. The browser loads one version at a time.
import { loadOpenApi } from './index.ts';
import { OPENAPI_VERSIONS } from './versions.ts';

await Promise.all(OPENAPI_VERSIONS.map((v) => loadOpenApi(v)));
