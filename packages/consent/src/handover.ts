import type { MountUI } from './attach-ui.js';

/**
 * The property a UI file sets on its own `<script>` element to hand `mountUI` to the engine that inserted
 * it. A module of its own, importing nothing, so the UI file brings none of the engine's code.
 */
export const HANDOVER = 'palomaConsentUI';

export type UIScript = HTMLScriptElement & { [HANDOVER]?: MountUI };
