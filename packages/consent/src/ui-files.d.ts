/**
 * The UI files the build made, by language: file name (with its content hash) and Subresource
 * Integrity. rollup.config.mjs writes it into the engine after building the UI files.
 */
declare module 'paloma:ui-files' {
  const files: Record<string, readonly [file: string, integrity: string]> & { en: readonly [string, string] };
  export default files;
}
