// A stored kfunc list as both stores read it back: the same columns (kfunc_lists, kfuncs, entry_kfuncs;
// schema.ts, postgres-schema.ts), turned into the model the same way.
import type { Kfunc, KfuncList, KfuncMethod } from '../model/kfunc.js';
import type { EntryRecord } from './store.js';

export interface KfuncHead {
  method: string;
  symbol_source: string | null;
  /** 0/1 in SQLite, a boolean in PostgreSQL. */
  set_flag: number | boolean;
  modules: string | null;
  release: string | null;
  warnings: string;
}

export interface KfuncRow {
  module: string;
  name: string;
  prototype: string;
  signature: string;
  /** -1: unknown (decl tags alone). */
  flags: number | string | bigint;
  sets: string;
}

export function kfuncOfRow(r: KfuncRow): Kfunc {
  const flags = Number(r.flags);
  return {
    name: r.name,
    prototype: r.prototype,
    signature: r.signature,
    flags: flags === -1 ? null : flags,
    sets: JSON.parse(r.sets) as string[],
    module: r.module === '' ? null : r.module,
    btfId: null,
  };
}

export function kfuncListOf(rec: EntryRecord, head: KfuncHead, rows: readonly KfuncRow[]): KfuncList {
  return {
    source: `${rec.labels.release ?? rec.source} (store entry ${rec.id})`,
    release: head.release,
    method: head.method as KfuncMethod,
    symbolSource: head.symbol_source as KfuncList['symbolSource'],
    setFlag: head.set_flag === 1 || head.set_flag === true,
    modules: head.modules === null ? null : (JSON.parse(head.modules) as string[]),
    kfuncs: rows.map(kfuncOfRow),
    warnings: JSON.parse(head.warnings) as string[],
  };
}
