// The types of `import` in Node: those of the CommonJS entry that `index.mjs` re-exports,
// so that TypeScript sees one `EventsClient` (and one set of error classes) across
// `import` and `require`, as Node does. The web build's declarations would be other
// classes to TypeScript (`#private` makes them nominal).
export * from './api.js';
