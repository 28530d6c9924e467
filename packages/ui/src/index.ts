export type { TextKey } from './i18n.js';
export type { MountOptions } from './mount.js';
export { mountUI } from './mount.js';
