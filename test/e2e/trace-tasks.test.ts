// scripts/trace-tasks.mjs on a hand-made trace: which main-thread tasks are the SDK's now that it is two files.
import { expect, it, describe as suite } from 'vitest';
import { isConsentFile, longest, sdkTasks, type TraceEvent, tasksOf } from '../../scripts/trace-tasks.mjs';

const PAGE = 'http://127.0.0.1:1/';
const ENGINE = 'http://127.0.0.1:1/consent.min.js';
const UI = 'http://127.0.0.1:1/consent-ui.en.Cx7yKkcB.min.js';

/** A complete event on the page's main thread (pid 1, tid 1); `ts` and `dur` in µs. */
const event = (name: string, ts: number, dur: number, url?: string, cat = 'devtools.timeline'): TraceEvent => ({
  name,
  cat,
  ph: 'X',
  pid: 1,
  tid: 1,
  ts,
  dur,
  args: url ? { data: { url } } : {},
});

const trace: TraceEvent[] = [
  { ...event('ParseHTML', 0, 500), args: { beginData: { url: PAGE } } },
  // 1: the engine's top level, 40 ms.
  event('RunTask', 1_000, 40_000, undefined, 'toplevel'),
  event('EvaluateScript', 1_100, 30_000, ENGINE),
  // 2: the UI file's top level, which calls back into the engine, 70 ms.
  event('RunTask', 50_000, 70_000, undefined, 'toplevel'),
  event('EvaluateScript', 50_100, 60_000, UI),
  event('FunctionCall', 50_200, 1_000, ENGINE),
  // 3: the page's own layout, 80 ms: the longest task, but not the SDK's.
  event('RunTask', 200_000, 80_000, undefined, 'toplevel'),
  event('Layout', 200_100, 79_000),
  // Another thread's work never counts.
  { ...event('RunTask', 300_000, 500_000, undefined, 'toplevel'), tid: 2 },
];

suite('trace-tasks', () => {
  it('recognises the engine and the UI files, and nothing else', () => {
    expect(isConsentFile(ENGINE)).toBe(true);
    expect(isConsentFile(UI)).toBe(true);
    expect(isConsentFile(`${UI}?v=1`)).toBe(true);
    expect(isConsentFile('http://127.0.0.1:1/lib/paloma/consent-ui.kk.D8ooLFIP.min.js')).toBe(true);
    expect(isConsentFile('http://127.0.0.1:1/consent.min.js.map')).toBe(false);
    expect(isConsentFile('http://127.0.0.1:1/stubs/gtag.js')).toBe(false);
  });

  it("counts the UI file's tasks as the SDK's, with the files each ran and the SDK code's time", () => {
    const tasks = tasksOf(trace, PAGE, isConsentFile);
    expect(tasks.map((t) => t.ms)).toEqual([40, 70, 80]);
    expect(tasks[2]?.time.style).toBe(79);
    const sdk = sdkTasks(tasks);
    expect(sdk.map((t) => [t.ms, t.entry, t.files, t.sdkMs])).toEqual([
      [40, 'top level', ['consent.min.js'], 30],
      [70, 'top level', ['consent-ui.en.Cx7yKkcB.min.js', 'consent.min.js'], 60],
    ]);
    expect(longest(sdk).ms).toBe(70);
  });

  it('says so when the page was never parsed in the trace', () => {
    expect(() => tasksOf(trace, 'http://127.0.0.1:1/other.html', isConsentFile)).toThrow(/no renderer parsed/);
  });
});
