/**
 * The HTML report: one self-contained file (inline CSS, no script, no external resource) a person can open
 * and forward. Everything that came from the audited pages is escaped, and the report's own
 * Content-Security-Policy forbids scripts should anything slip through.
 */
import type { Finding, PageReport, Report, Visit } from './report.js';
import { VISIT_KINDS, VISIT_NAMES } from './report.js';

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const e = (value: unknown) => escapeHtml(String(value));

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2433;background:#f6f7f9}
main{max-width:72em;margin:auto;padding:1.5em}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin:1.6em 0 .5em}h3{font-size:1.05em;margin:1.2em 0 .3em;word-break:break-all}
.sum{display:flex;gap:1em;flex-wrap:wrap;margin:1em 0}
.sum div{background:#fff;border:1px solid #d6dae1;border-radius:8px;padding:.6em 1em;min-width:8em}
.sum b{display:block;font-size:1.6em}
.ok{color:#0a7a3d}.bad{color:#b3261e}.warn{color:#8a5a00}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d6dae1}
th,td{text-align:left;vertical-align:top;padding:.4em .6em;border-bottom:1px solid #e5e8ed}
th{background:#eef0f4;font-weight:600}
td code,li code{font-size:.9em;word-break:break-all}
td.rule code{white-space:nowrap;word-break:normal}
.tag{display:inline-block;border-radius:4px;padding:0 .4em;font-size:.85em;font-weight:600;color:#fff}
.tag.violation{background:#b3261e}.tag.warning{background:#8a5a00}
.ev{color:#4a5363;font-size:.9em}
.page{background:#fff;border:1px solid #d6dae1;border-radius:8px;padding:.2em 1em 1em;margin:1em 0}
`;

function evidence(finding: Finding): string {
  const parts = Object.entries(finding.evidence).map(
    ([key, value]) => `${e(key)}: <code>${e(Array.isArray(value) ? value.join(', ') : value)}</code>`,
  );
  return parts.join(' · ');
}

function findingsTable(findings: Finding[]): string {
  if (findings.length === 0) return '<p class="ok">No findings: nothing was stored or sent without consent.</p>';
  const rows = findings.map(
    (f) => `<tr class="finding ${e(f.severity)}"><td><span class="tag ${e(f.severity)}">${e(f.severity)}</span></td>
<td class="rule"><code>${e(f.code)}</code></td><td>${e(f.message)}<div class="ev">${evidence(f)}</div></td>
<td><code>${e(f.page)}</code>${f.visit ? `<br>${e(VISIT_NAMES[f.visit])}` : ''}</td></tr>`,
  );
  return `<table><thead><tr><th>Severity</th><th>Rule</th><th>What and evidence</th><th>Page</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

function visitRow(visit: Visit): string {
  const cookies = visit.cookies.map(
    (c) =>
      `<li><code>${e(c.name)}</code> <span class="ev">${e(c.domain)}${e(c.path)} · ${c.expires ? `until ${e(c.expires.slice(0, 10))}` : 'session'} · ${c.firstParty ? 'first party' : 'third party'}</span></li>`,
  );
  const storage = [
    ...visit.localStorage.map((k) => `<li><code>${e(k)}</code> <span class="ev">localStorage</span></li>`),
    ...visit.sessionStorage.map((k) => `<li><code>${e(k)}</code> <span class="ev">sessionStorage</span></li>`),
  ];
  const requests = visit.requests.map(
    (r) =>
      `<li><code>${e(r.url)}</code> <span class="ev">${e(r.resourceType)}${r.cookieSent ? ' · cookies sent' : ''}${r.sameSite ? ' · same site' : ''}</span></li>`,
  );
  const cell = (items: string[]) => (items.length ? `<ul>${items.join('')}</ul>` : '—');
  return `<tr><th>${e(VISIT_NAMES[visit.kind])}${visit.decidedBy === 'api' ? '<br><span class="ev">through the API</span>' : ''}</th><td>${cell(cookies)}</td><td>${cell(storage)}</td><td>${cell(requests)}</td></tr>`;
}

function pageSection(page: PageReport): string {
  const visits = VISIT_KINDS.flatMap((kind) => page.visits.filter((v) => v.kind === kind)).map(visitRow);
  const error = page.error ? `<p class="bad">Audit failed: ${e(page.error)}</p>` : '';
  return `<section class="page"><h3>${e(page.url)}</h3>
<p class="ev">${e(page.title)} · language ${e(page.language || '?')} · configuration from ${e(page.config?.source ?? '?')} · ${e((page.durationMs / 1000).toFixed(1))} s</p>${error}
${visits.length ? `<table><thead><tr><th>Visit</th><th>Cookies</th><th>Storage</th><th>Requests to other origins</th></tr></thead><tbody>${visits.join('\n')}</tbody></table>` : ''}</section>`;
}

export function htmlReport(report: Report): string {
  const { pages, failedPages, violations, warnings } = report.summary;
  const verdict =
    report.exitCode === 0
      ? '<span class="ok">clean</span>'
      : report.exitCode === 1
        ? '<span class="bad">violations found</span>'
        : '<span class="bad">the audit could not finish</span>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Consent audit: ${e(report.pages[0]?.url ?? '')}</title><style>${STYLE}</style></head>
<body><main>
<h1>Consent audit: ${verdict}</h1>
<p class="ev">${e(report.tool.name)} ${e(report.tool.version)} · ${e(report.startedAt)} · ${e((report.durationMs / 1000).toFixed(1))} s · report format ${e(report.format)} v${e(report.version)}</p>
<div class="sum"><div><b>${pages}</b>pages</div><div><b class="${violations ? 'bad' : 'ok'}">${violations}</b>violations</div><div><b class="${warnings ? 'warn' : 'ok'}">${warnings}</b>warnings</div><div><b class="${failedPages ? 'bad' : 'ok'}">${failedPages}</b>pages failed</div></div>
<h2>Findings</h2>
${findingsTable(report.findings)}
<h2>Pages</h2>
${report.pages.map(pageSection).join('\n')}
</main></body></html>
`;
}
