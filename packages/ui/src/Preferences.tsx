import type { Choices, Decision } from '@paloma365/consent-core';
import { Actions } from './Actions.js';
import type { Ui } from './App.js';
import { firstFocusable, trapTab } from './focus.js';

export interface PreferencesProps {
  ui: Ui;
  decision: Decision | null;
  /** The close button and Escape. */
  onClose(): void;
}

/** The modal second layer: one switch per category, and the proof of the current decision. */
export function Preferences({ ui, decision, onClose }: PreferencesProps) {
  const { consent, config, t } = ui;
  const { name, id, url } = config.operator ?? {};
  const operatorId = id && `${t('operatorId')} ${id}`;

  return (
    <>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: not an interaction; a click on the backdrop must not take focus out of the dialog, or Escape and Tab would stop working. */}
      <div class="bk" onMouseDown={(e) => e.preventDefault()} />
      <div
        ref={focusInside}
        class="dl"
        role="dialog"
        aria-modal="true"
        aria-labelledby="pc-dt"
        tabIndex={-1}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
          if (e.key === 'Tab') trapTab(e, e.currentTarget);
        }}
      >
        <div class="hd">
          <h2 id="pc-dt">{t('settings')}</h2>
          <button type="button" class="x" aria-label={t('close')} onClick={onClose}>
            ×
          </button>
        </div>
        <p>{t('dialogIntro')}</p>
        {config.categories.map((c) => {
          const [title, description] = ui.category(c);
          // Its own prefix: a category id like `bt` must not collide with the headings' ids.
          const htmlId = `pc-c-${c.id}`;
          return (
            <div class="ct" key={c.id}>
              <div class="rw">
                <label for={htmlId}>{title}</label>
                {c.required && <span>{t('alwaysOn')}</span>}
                <input
                  id={htmlId}
                  name={c.id}
                  type="checkbox"
                  // biome-ignore lint/a11y/useAriaPropsForRole: a native checkbox's state is its `checked`; ARIA in HTML advises against aria-checked on it.
                  role="switch"
                  // First visit: nothing optional is on; later: the stored decision.
                  checked={c.required || decision?.categories[c.id] === true}
                  disabled={c.required}
                  aria-describedby={`${htmlId}-d`}
                />
              </div>
              <p id={`${htmlId}-d`}>{description}</p>
              {c.declared && (
                <details>
                  <summary>{t('cookieList')}</summary>
                  <ul>
                    {c.declared.map((cookie) => (
                      <li key={cookie.name}>
                        <code>{cookie.name}</code>
                        {[ui.local(cookie.purpose), ui.local(cookie.lifetime)].map((s) => s && ` — ${s}`)}
                      </li>
                    ))}
                  </ul>
                </details>
              )}
            </div>
          );
        })}
        {decision && (
          <p class="mt">
            {t('consentId')}: {decision.subjectId}
            <br />
            {t('consentDate')}: <time dateTime={decision.timestamp}>{formatDate(decision.timestamp, ui.lang)}</time>
          </p>
        )}
        {(name || id || url) && (
          <p class="mt">
            {t('operator')}: {url ? <a href={url}>{name || url}</a> : name}
            {name && operatorId && ', '}
            {operatorId}
          </p>
        )}
        <Actions ui={ui}>
          <button type="button" onClick={(e) => consent.set(readChoices(e.currentTarget), ui.notice())}>
            {t('save')}
          </button>
        </Actions>
      </div>
    </>
  );
}

/** Moves focus into the dialog when it opens; mountUI gives it back when the dialog closes. */
function focusInside(dialog: HTMLElement | null) {
  if (dialog) firstFocusable(dialog)?.focus();
}

/** The switches as they stand: the checkboxes hold the state, so a quick "Save" cannot read a stale copy. */
function readChoices(button: HTMLElement): Choices {
  const inputs = button.closest('.dl')?.querySelectorAll('input') ?? [];
  return Object.fromEntries(Array.from(inputs, (input) => [input.name, input.checked]));
}

/** In the visitor's notation, with the time: two decisions on one day must be told apart. */
export const formatDate = (iso: string, lang: string): string => new Date(iso).toLocaleString(lang);
