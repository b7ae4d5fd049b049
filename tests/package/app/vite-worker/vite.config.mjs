// The one setting a Vite app needs for the package inside a worker: workers are
// bundled as ES modules (Vite's default, "iife", cannot hold the package's top-level
// await that loads the wasm). No plugin.
export default {
  worker: { format: 'es' },
};
