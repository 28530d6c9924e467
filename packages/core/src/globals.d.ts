/** The SDK's version, put in every receipt: vitest defines it, rollup's replace plugin writes it in. */
declare const __SDK_VERSION__: string;
