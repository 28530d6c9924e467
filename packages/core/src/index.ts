export type {
  Category,
  CategoryConfig,
  ConsentConfig,
  ConsentModeType,
  CookieDeclaration,
  CookieOptions,
  DefaultCategoryId,
  Language,
  OperatorConfig,
  Problem,
  ResolvedConfig,
  Text,
  TextKey,
  Texts,
  Validation,
} from './config.js';
export { formatProblem, LANGUAGES, validateConfig } from './config.js';
export type {
  AttachedUI,
  AttachUI,
  Choices,
  Consent,
  ConsentError,
  ConsentEvents,
  ConsentState,
  View,
} from './controller.js';
export { createConsent, safeConsent } from './controller.js';
export type { Decision, Method } from './decision.js';
export type { CookieAttributes, CookieJar, Env, KeyValueStore, LocationLike, NavigatorLike } from './env.js';
export { browserEnv } from './env.js';
export { resolveLanguage } from './language.js';
export type { Notice, NoticeCookie, Receipt } from './receipt.js';
export type { ScriptPolicy } from './trusted.js';
export { scriptPolicy } from './trusted.js';
