// The handlers' valibot schemas as JSON Schema (draft 2020-12, OpenAPI 3.1's dialect), with
// @valibot/to-json-schema. A schema says what a request or answer looks like after the last schema
// of each pipe (`typeMode: 'output'`): `object()` of schema/fields.ts is "a JSON object, then these
// members", and the members are what matters. What JSON Schema has no word for (trimming, the
// address check, a metadata size) is left to the operation's prose; anything else it cannot say
// stops the build (`errorMode: 'throw'`), so a new kind of rule is translated on purpose, not
// dropped.
import {
  type ConversionConfig,
  type JsonSchema,
  type OverrideActionContext,
  toJsonSchema,
  toJsonSchemaDefs,
} from '@valibot/to-json-schema';
import type * as v from 'valibot';

/** Rules that refine a value in ways JSON Schema cannot state; the field's description does. */
const UNSTATED = new Set(['check', 'trim', 'raw_transform', 'transform', 'partial_check', 'forward']);

function overrideAction({ valibotAction, jsonSchema }: OverrideActionContext): JsonSchema | undefined {
  const action = valibotAction as v.GenericValidation & { requirement?: unknown; operation?: unknown };
  switch (action.type) {
    // JSON Schema counts string lengths in code points, as fields.ts does.
    case 'min_code_points':
      return { ...jsonSchema, minLength: action.requirement as number };
    case 'max_code_points':
      return { ...jsonSchema, maxLength: action.requirement as number };
    // JSON Schema patterns are read with Unicode semantics, as the `u` flag asks.
    case 'regex': {
      const pattern = action.requirement as RegExp;
      return pattern.flags === 'u' ? { ...jsonSchema, pattern: pattern.source } : undefined;
    }
    case 'transform':
      // Digits read as a number (a query parameter): a whole number to the reader.
      if (action.operation === Number) {
        const { pattern: _, ...rest } = jsonSchema;
        return { ...rest, type: 'integer', minimum: 0 };
      }
      return { ...jsonSchema };
    default:
      return UNSTATED.has(action.type) ? { ...jsonSchema } : undefined;
  }
}

const baseConfig = {
  target: 'draft-2020-12',
  typeMode: 'output',
  errorMode: 'throw',
  // `object()` of schema/fields.ts checks for a JSON object first; the members follow.
  overrideSchema: ({ valibotSchema }) => (valibotSchema.type === 'custom' ? { type: 'object' } : undefined),
  overrideAction,
  overrideRef: ({ referenceId }) => `#/components/schemas/${referenceId}`,
} satisfies ConversionConfig;

/** Converts schemas, naming the `definitions` where they occur (`$ref` into components.schemas). */
export function converter(definitions: Record<string, v.GenericSchema>) {
  const config: ConversionConfig = { ...baseConfig, definitions };
  return {
    /** The JSON Schema of `schema`, with references to the named definitions. */
    schema(schema: v.GenericSchema): JsonSchema {
      const { $schema: _, $defs: __, ...converted } = toJsonSchema(schema, config);
      return converted;
    },
    /** The named definitions themselves (components.schemas). */
    definitions: (): Record<string, JsonSchema> => toJsonSchemaDefs(definitions, config),
  };
}
