import type { components } from './api';

/**
 * swag marks no property as required, so the generated types make every field optional.
 * The Go handlers always send every field (none is `omitempty`), so the app treats them as
 * present; `x-nullable` fields stay `| null` and are handled as "unknown".
 */
export type Complete<T> = T extends readonly (infer Item)[]
  ? Complete<Item>[]
  : T extends object
    ? { [K in keyof T]-?: Complete<Exclude<T[K], undefined>> }
    : T;

/** A schema of the generated OpenAPI document (src/types/api.d.ts), e.g. Schema<'CurrentMetrics'>. */
export type Schema<Name extends keyof components['schemas']> = Complete<components['schemas'][Name]>;
