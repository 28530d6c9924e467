// Types for scripts/trace-tasks.mjs, so that its test type-checks.
export interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur: number;
  args: Record<string, unknown>;
}
export interface Task {
  ts: number;
  ms: number;
  time: Record<string, number>;
  sdkMs: number;
  files: string[];
  entry?: string;
}
export function traceCategories(compile?: boolean): string[];
export function isConsentFile(url: string): boolean;
export function tasksOf(events: TraceEvent[], url: string, isSdkUrl: (url: string) => boolean): Task[];
export function sdkTasks(tasks: Task[]): Task[];
export function longest(tasks: Task[]): Task;
export function describe(task: Task): string;
