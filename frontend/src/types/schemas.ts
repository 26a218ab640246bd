import type { components } from './api';

/**
 * A schema of the generated OpenAPI document (src/types/api.d.ts), e.g. Schema<'CurrentMetrics'>.
 * The document marks every field the API always sends as required and every field that may be
 * null as nullable, so the generated types are used as they are.
 */
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];
