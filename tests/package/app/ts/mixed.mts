// One program that both imports and requires the package (an ES module using a CommonJS
// one's client): Node gives it one `EventsClient` and one set of error classes, and
// TypeScript must see them as the same types too.
import { EventsClient, ValidationError } from 'genomcore-events-wasm';
import { requiredClient, RequiredValidationError } from './consumer.cjs';

const client: EventsClient = requiredClient;
const errorClass: typeof ValidationError = RequiredValidationError;
export const both: [EventsClient, typeof ValidationError] = [client, errorClass];
