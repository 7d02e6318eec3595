/** Renderings of a classification: JSON, `$GITHUB_OUTPUT` lines, a job summary, plain text. */
import { LAYERS, type Classification, type Layer } from './classify';

export interface ClassifyResult extends Classification {
  /** What was compared (`abc1234...def5678`, `paths given`), or why every layer deploys. */
  source: string;
}

/** `--json`: exactly `{"layers":[...]}`; with explain, the per-path decisions and source too. */
export function toJson(result: ClassifyResult, explain = false): string {
  const body = explain ? { layers: result.layers, source: result.source, files: result.files } : { layers: result.layers };
  return JSON.stringify(body);
}

/** Lines for `$GITHUB_OUTPUT`, used by workflow `if:` conditions. */
export function toGithubOutput(layers: readonly Layer[], extra: Record<string, string> = {}): string {
  const lines = LAYERS.map((l) => `${l}=${layers.includes(l)}`);
  lines.push(`layers=${JSON.stringify(layers)}`);
  for (const [k, v] of Object.entries(extra)) {
    if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) throw new Error(`output ${k} must be a single line`);
    lines.push(`${k}=${v}`);
  }
  return `${lines.join('\n')}\n`;
}

const WHAT: Record<Layer, string> = {
  infra: '`cdktf deploy infra` (deploy-infra.yml, after review)',
  runtime: 'build and publish the agent image (deploy-runtime.yml)',
};

function cell(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/`/g, "'")
    .replace(/[\r\n]+/g, ' ');
}

/** Markdown for `$GITHUB_STEP_SUMMARY`: which layers, and which rule decided each path. */
export function toSummary(result: ClassifyResult, maxRows = 200): string {
  const touched = result.layers.length ? result.layers.map((l) => `\`${l}\``).join(', ') : 'none (nothing deploys)';
  const out = [
    `### Layers this change touches: ${touched}`,
    '',
    `Compared: ${result.source.replace(/[\r\n]+/g, ' ')}`,
    '',
    '| layer | on merge to main |',
    '|---|---|',
  ];
  for (const l of LAYERS) out.push(`| ${l} | ${result.layers.includes(l) ? WHAT[l] : 'nothing'} |`);
  if (result.files.length) {
    out.push('', `<details><summary>${result.files.length} changed path(s)</summary>`, '', '| path | layers | rule |', '|---|---|---|');
    for (const f of result.files.slice(0, maxRows)) {
      out.push(`| \`${cell(f.path)}\` | ${f.layers.join(', ') || '—'} | \`${cell(f.rule)}\` ${cell(f.why)} |`);
    }
    if (result.files.length > maxRows) out.push(`| … ${result.files.length - maxRows} more | | |`);
    out.push('', '</details>');
  }
  return `${out.join('\n')}\n`;
}

/** Plain text for a terminal. */
export function toText(result: ClassifyResult): string {
  const lines = [`layers: ${result.layers.join(', ') || 'none'}`, `source: ${result.source}`];
  const width = Math.max(0, ...result.files.map((f) => f.path.length));
  for (const f of result.files) lines.push(`  ${f.path.padEnd(width)}  ${(f.layers.join(',') || '-').padEnd(14)} ${f.why}`);
  return `${lines.join('\n')}\n`;
}
