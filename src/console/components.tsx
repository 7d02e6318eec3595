/** Building blocks every screen uses: labelled fields, the error banner, status badges, progress. */
import type { ComponentChildren, InputHTMLAttributes } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { toneOf } from './lib/format';
import type { Problem } from './lib/problems';

export function ErrorBanner({ problem, extra = [] }: { problem?: Problem; extra?: [string, string][] }) {
  if (!problem) return null;
  return (
    <div class="banner bad" role="alert">
      <strong>{problem.message}</strong> <code class="code">{problem.code}</code>
      {extra.length > 0 && (
        <ul>
          {extra.map(([f, m]) => (
            <li key={f}>
              <code>{f}</code>: {m}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <div class="banner ok" role="status">
      {children}
    </div>
  );
}

let ids = 0;

export interface FieldProps {
  label: string;
  name: string;
  value: string;
  onInput: (v: string) => void;
  error?: string;
  hint?: string;
  type?: 'text' | 'password' | 'number' | 'date';
  required?: boolean;
  autoComplete?: string;
  multiline?: boolean;
  placeholder?: string;
}

/** An input with its label, hint and the API's problem for it, tied together for screen readers. */
export function Field(p: FieldProps) {
  const [id] = useState(() => `f${++ids}`);
  const describedBy = [p.hint ? `${id}-hint` : '', p.error ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: p.name,
    value: p.value,
    required: p.required,
    placeholder: p.placeholder,
    'aria-invalid': p.error ? true : undefined,
    'aria-describedby': describedBy,
    onInput: (e: Event) => p.onInput((e.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class={`field${p.error ? ' invalid' : ''}`}>
      <label for={id}>{p.label}</label>
      {p.multiline ? (
        <textarea rows={3} {...common} />
      ) : (
        <input {...({ type: p.type ?? 'text', autoComplete: p.autoComplete, ...common } as InputHTMLAttributes)} />
      )}
      {p.hint && (
        <small id={`${id}-hint`} class="hint">
          {p.hint}
        </small>
      )}
      {p.error && (
        <small id={`${id}-err`} class="error" data-field-error={p.name}>
          {p.error}
        </small>
      )}
    </div>
  );
}

export function Badge({ status }: { status?: string }) {
  return <span class={`badge ${toneOf(status)}`}>{status ?? 'unknown'}</span>;
}

/** Shown during a wait: what is happening and for how long, so a slow step never looks stuck. */
export function Progress({ label }: { label: string }) {
  const [started] = useState(() => Date.now());
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, []);
  const s = Math.floor((Date.now() - started) / 1000);
  return (
    <p class="progress" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> {label}
      {s >= 2 ? ` (${s} s)` : '…'}
    </p>
  );
}

/** Calls `fn` now and every `ms` while mounted and `active` (and again at once when `key` changes); the latest fn is used. */
export function usePoll(fn: () => void | Promise<void>, ms: number, active = true, key = ''): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const loop = async () => {
      try {
        await ref.current();
      } finally {
        if (!stopped) timer = setTimeout(() => void loop(), ms);
      }
    };
    void loop();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [ms, active, key]);
}

export function Section({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="card" aria-labelledby={`h-${title.replace(/\W+/g, '-')}`}>
      <header class="card-head">
        <h2 id={`h-${title.replace(/\W+/g, '-')}`}>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}
