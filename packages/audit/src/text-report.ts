/** The terminal report: a progress line per page while the audit runs, then what each page held and the findings. */
import type { Finding, PageReport, Report, Visit } from './report.js';
import { VISIT_KINDS, VISIT_NAMES } from './report.js';

/** Page-derived text may carry terminal escape sequences: control characters are shown, never sent to the terminal. */
export const plain = (text: string): string =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function progressLine(page: PageReport, findings: Finding[], index: number, total: number): string {
  const violations = findings.filter((f) => f.severity === 'violation').length;
  const warnings = findings.length - violations;
  const status = page.error
    ? `FAILED: ${plain(page.error)}`
    : violations + warnings === 0
      ? 'clean'
      : `${count(violations, 'violation')}, ${count(warnings, 'warning')}`;
  return `[${index}/${total}] ${plain(page.url)} — ${status} (${seconds(page.durationMs)})`;
}

const list = (items: string[]) => (items.length === 0 ? '—' : plain(items.join(', ')));

function visitLines(visit: Visit): string[] {
  const hosts = [...new Set(visit.requests.filter((r) => !r.sameSite).map((r) => r.host))];
  return [
    `  ${VISIT_NAMES[visit.kind].padEnd(17)} cookies: ${list(visit.cookies.map((c) => c.name))}`,
    `  ${''.padEnd(17)} storage: ${list([...visit.localStorage, ...visit.sessionStorage.map((k) => `${k} (session)`)])}`,
    `  ${''.padEnd(17)} third parties: ${list(hosts)}`,
  ];
}

export function textReport(report: Report): string {
  const lines: string[] = [];
  for (const page of report.pages) {
    lines.push('', `${plain(page.url)}  [${page.language || '?'}] ${plain(page.title)}`);
    for (const kind of VISIT_KINDS) {
      const visit = page.visits.find((v) => v.kind === kind);
      if (visit) lines.push(...visitLines(visit));
    }
    if (page.error) lines.push(`  audit failed: ${plain(page.error)}`);
  }
  const violations = report.findings.filter((f) => f.severity === 'violation');
  const warnings = report.findings.filter((f) => f.severity === 'warning');
  for (const [title, group] of [
    ['Violations', violations],
    ['Warnings', warnings],
  ] as const) {
    if (group.length === 0) continue;
    lines.push('', `${title}:`);
    for (const f of group) lines.push(`  ${f.code}  ${plain(f.page)}`, `    ${plain(f.message)}`);
  }
  const { pages, failedPages } = report.summary;
  lines.push(
    '',
    `${count(pages, 'page')} audited in ${seconds(report.durationMs)}: ${count(violations.length, 'violation')}, ${count(warnings.length, 'warning')}, ${count(failedPages, 'page')} failed (exit ${report.exitCode})`,
  );
  return lines.join('\n');
}
