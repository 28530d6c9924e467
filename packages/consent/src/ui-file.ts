/**
 * The script-tag UI file's entry: hands `mountUI` to the engine, through the `<script>` element the engine
 * inserted. The build makes one file per language, each with that language's texts only.
 */
import { mountUI } from '@paloma365/consent-ui';
import { HANDOVER, type UIScript } from './handover.js';

const script = document.currentScript as UIScript | null;
if (script) script[HANDOVER] = mountUI;
