// Small pieces the pages share. Every string from the store is rendered as JSX text or an attribute
// value, which Preact escapes; nothing here builds HTML from strings.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Labels, Loaded } from './api';

export { fmt } from './format';

export const percent = (share: number | null) => (share === null ? '—' : `${(share * 100).toFixed(1)}%`);

export function LabelList({ labels, skip = [] }: { labels: Labels; skip?: string[] }) {
  return (
    <span class="labels">
      {Object.entries(labels)
        .filter(([k]) => !skip.includes(k))
        .map(([k, v]) => (
          <span class="label" key={k}>
            <span class="label-key">{k}</span>={v}
          </span>
        ))}
    </span>
  );
}

/** Loading, error, or the content once there is data. Old data stays on screen while new data loads. */
export function Await<T>({
  state,
  children,
}: {
  state: Loaded<T>;
  children: (data: T) => ComponentChildren;
}) {
  if (state.error)
    return (
      <p class="error" role="alert">
        {state.error}
      </p>
    );
  if (state.data === undefined) return <p class="loading">Loading…</p>;
  return <div class={state.loading ? 'stale' : undefined}>{children(state.data)}</div>;
}

/** A value that settles `ms` after the last change (search boxes). */
export function useDebounced<T>(value: T, ms = 200): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

/** A text input that reports its value on Enter or when it loses focus. */
export function QueryInput({
  value,
  onChange,
  placeholder,
  label,
  name,
}: {
  value: string;
  onChange: (v: string) => void;
  placeholder?: string;
  label: string;
  name: string;
}) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  return (
    <label class="field">
      <span>{label}</span>
      <input
        name={name}
        value={text}
        placeholder={placeholder}
        spellcheck={false}
        autocomplete="off"
        onInput={(e) => setText((e.target as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') onChange(text);
        }}
        onBlur={() => text !== value && onChange(text)}
      />
    </label>
  );
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** The label query that picks the kernels of a series, as every page that shows one asks for it. */
export function KernelQuery({
  value,
  onChange,
  label = 'kernels (label query)',
}: {
  value: string;
  onChange: (v: string) => void;
  label?: string;
}) {
  return (
    <QueryInput
      label={label}
      name="query"
      value={value}
      placeholder="stream=debian-6.1 (empty: every kernel)"
      onChange={onChange}
    />
  );
}

export const NoKmods = () => <p class="empty">No kmod stored. Add some with kabi ingest module.ko.</p>;

/**
 * A table of the pages' `data` style: `head` is the header row's cells, `children` the body's rows,
 * `foot` a row of totals.
 */
export function DataTable({
  id,
  class: cls = 'data',
  head,
  foot,
  children,
}: {
  id: string;
  class?: string;
  head: ComponentChildren;
  foot?: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <table class={cls} id={id}>
      <thead>
        <tr>{head}</tr>
      </thead>
      <tbody>{children}</tbody>
      {foot && (
        <tfoot>
          <tr>{foot}</tr>
        </tfoot>
      )}
    </table>
  );
}
