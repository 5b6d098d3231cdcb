// The JSON Schemas in schema/ (generated from the *Json types by scripts/json-schemas.ts) are versioned:
// a field is never renamed or removed within a version. Documents that name their schema carry `$schema`.

export const SCHEMA_VERSION = 1;

/** `urn:kabi-tracker:schema:v1:compat`: the `$id` of a command's schema, and the `$schema` of its output. */
export const schemaId = (name: string): string => `urn:kabi-tracker:schema:v${SCHEMA_VERSION}:${name}`;
