// Main-thread tasks from a Chromium trace, and which of them ran a library's code: shared by
// scripts/longtasks.mjs and scripts/bench.mjs, so both count a library's task the same way.
//
// A task counts as the library's when work in it runs one of the library's files (their compile, their
// top level, a timer or callback of theirs); a frame that draws the banner counts only when library code
// runs in it. Which files are the library's is the caller's `isSdkUrl`: the SDK is now two files (the
// engine and, when something must be shown, a UI file), and a peer's setup may be an inline script.

/** Tasks (toplevel), script, style and layout (devtools.timeline); V8's compile steps only on request. */
export const traceCategories = (compile = false) => [
  'toplevel',
  'devtools.timeline',
  'v8.execute',
  ...(compile ? ['disabled-by-default-v8.compile'] : []),
];

// What Chromium has named a main-thread task over the years (Lighthouse accepts the same).
const TASKS = new Set([
  'ThreadControllerImpl::RunTask',
  'RunTask',
  'ThreadControllerImpl::DoWork',
  'TaskQueueManager::ProcessTaskFromWorkQueue',
]);
const SCRIPT = new Set(['EvaluateScript', 'v8.run', 'FunctionCall', 'v8.callFunction', 'TimerFire', 'EventDispatch']);
const STYLE = new Set(['UpdateLayoutTree', 'RecalculateStyles', 'Layout', 'ParseAuthorStyleSheet']);
// Events that run library code and name its URL (the one saying the download finished names it too, but is no work).
const SDK_WORK = new Set(['EvaluateScript', 'v8.compile', 'FunctionCall']);
const ENTRIES = { EvaluateScript: 'top level', TimerFire: 'timer', EventDispatch: 'event', FunctionCall: 'callback' };
const PARTS = { compile: 'compile/parse', script: 'script', style: 'style/layout', other: 'other' };

/** What kind of work an event is; `undefined` for wrappers, which count as their parent's kind. */
function kindOf({ name, cat }) {
  if (name.includes('GC')) return 'other';
  if (cat.includes('v8.compile') || name === 'v8.compile') return 'compile';
  if (SCRIPT.has(name) || cat === 'v8.execute') return 'script';
  if (STYLE.has(name)) return 'style';
  return undefined;
}

/** Paloma Consent's script-tag files: the engine and the UI files beside it (`consent-ui.<lang>.<hash>.min.js`). */
export const isConsentFile = (url) => /\/consent(-ui\.[^/]+)?\.min\.js$/.test(url.split('?')[0]);

const urlOf = (e) => e.args.data?.url ?? e.args.data?.fileName ?? e.args.fileName ?? '';

/**
 * The tasks of the main thread of the renderer that parsed `url`, in order, each with its start (µs,
 * trace clock), duration, the time by kind of work (an event's own time, without its children's: events
 * on one thread nest), and, when it ran library code, what ran it (`entry`), which library files
 * (`files`) and how long that code (and the work it caused, such as a forced layout) took (`sdkMs`).
 */
export function tasksOf(events, url, isSdkUrl) {
  const parse = events.find((e) => e.name === 'ParseHTML' && e.args.beginData?.url === url);
  if (!parse) throw new Error(`no renderer parsed ${url}`);
  const thread = events
    .filter((e) => e.ph === 'X' && e.pid === parse.pid && e.tid === parse.tid)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const tasks = [];
  const open = [];
  for (const e of thread) {
    while (open.length > 0 && open.at(-1).end <= e.ts) open.pop();
    const parent = open.at(-1);
    if (!parent && !TASKS.has(e.name)) continue;
    const task = parent?.task ?? { ts: e.ts, ms: e.dur / 1000, time: { other: 0 }, sdkMs: 0, files: [] };
    if (!parent) tasks.push(task);
    const kind = kindOf(e) ?? parent?.kind ?? 'other';
    task.time[kind] = (task.time[kind] ?? 0) + e.dur / 1000;
    if (parent) task.time[parent.kind] -= e.dur / 1000;
    // The outermost script event above library code is what ran it.
    const entry = kind === 'script' && parent?.kind !== 'script' ? e.name : parent?.entry;
    const own = SDK_WORK.has(e.name) && isSdkUrl(urlOf(e));
    if (own) {
      const file = urlOf(e).split('/').at(-1);
      if (!task.files.includes(file)) task.files.push(file);
    }
    const inSdk = parent?.inSdk || own;
    if (inSdk && !parent?.inSdk) {
      task.sdkMs += e.dur / 1000;
      task.entry ??= ENTRIES[entry] ?? e.name;
    }
    open.push({ end: e.ts + e.dur, kind, entry, inSdk, task });
  }
  return tasks;
}

/** The library's tasks (those that ran its code) among `tasksOf`'s. */
export const sdkTasks = (tasks) => tasks.filter((t) => t.entry);

export const longest = (tasks) => {
  if (tasks.length === 0) throw new Error('the trace holds no main-thread task: did Chromium rename its task events?');
  return tasks.reduce((a, b) => (b.ms > a.ms ? b : a));
};

const ms = (n) => `${(n ?? 0).toFixed(0)} ms`;
const parts = (task) =>
  Object.entries(PARTS)
    .map(([part, label]) => `${label} ${ms(task.time[part])}`)
    .join(', ');
/** One task in words: its duration, the library code in it and where the time went. */
export const describe = (task) =>
  `${ms(task.ms)}${task.entry ? `, SDK code ${ms(task.sdkMs)} (${task.files.join(' + ')})` : ''}: ${parts(task)}`;
