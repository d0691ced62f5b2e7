import { ValidationError } from './http-errors';

/**
 * A 400 for a rule the schema cannot check alone (it needs configuration or the clock),
 * shaped like the schema's own answers: `issues` names the field.
 */
export const requestProblem = (location: 'params' | 'query' | 'body', path: string, message: string) =>
  new ValidationError(location, [{ code: 'custom', path: [path], message, input: undefined }] as unknown as ConstructorParameters<typeof ValidationError>[1]);
