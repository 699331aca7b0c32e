import { InitialSchema1764000000000 } from './1764000000000-initial-schema.js';

/** Listed explicitly rather than globbed: ESM has no synchronous require for TypeORM to load files with. */
export const migrations = [InitialSchema1764000000000];
