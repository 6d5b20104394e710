/**
 * Reading `Clean.Firms` (registry firms in columns): one firm as plain fields, and firms made
 * from clean registry rows (tests, benches and small registries). The columns themselves are
 * built by the `reference/firms` asset (assets/clean/firms.ts).
 */
import type { CodedText, Firms, RegistryRow } from "../../domain/Clean.js"
import { normalizeText } from "../../normalize/text.js"
import { fullZhKey } from "./keys.js"

/** Whether a reference row is a registry firm: it has no entity id (a table without that column is all firms). */
export const isFirm = (entityId: string | undefined): boolean => entityId === undefined || normalizeText(entityId) === ""

/** Gives each distinct text an index, in order of first appearance (a `CodedText` being built). */
export class Coder {
  readonly values: Array<string> = []
  private readonly index = new Map<string, number>()
  code(s: string): number {
    let i = this.index.get(s)
    if (i === undefined) {
      i = this.values.length
      this.values.push(s)
      this.index.set(s, i)
    }
    return i
  }
}

/** A text column coded: each distinct value once, and a code per row. */
export const coded = (values: ReadonlyArray<string>): CodedText => {
  const c = new Coder()
  return { codes: Uint32Array.from(values, (v) => c.code(v)), values: c.values }
}

/** Firms from clean registry rows: the rows without an entity id (the curated reference is not a firm list), in order. */
export const fromRows = (rows: ReadonlyArray<RegistryRow>): Firms => {
  const firms = rows.filter((r) => r.entityId === undefined)
  return {
    length: firms.length,
    creditCode: firms.map((r) => r.creditCode ?? ""),
    nameZh: firms.map((r) => r.nameZh?.display ?? ""),
    nameKey: firms.map((r) => r.nameZh?.key ?? ""),
    fullKey: firms.map((r) => (r.nameZh === undefined ? "" : fullZhKey(r.nameZh))),
    province: coded(firms.map((r) => r.province)),
    city: coded(firms.map((r) => r.city)),
    sector: coded(firms.map((r) => r.sector)),
    source: coded(firms.map((r) => r.provenance.source)),
    row: Int32Array.from(firms, (r) => r.provenance.row),
  }
}

/** One firm as plain fields: for evidence and findings, not for hot loops. */
export interface FirmView {
  readonly creditCode: string
  readonly nameZh: string
  readonly nameKey: string
  readonly fullKey: string
  readonly province: string
  readonly city: string
  readonly sector: string
}

/** The text of a coded column at `i`. */
export const textAt = (c: CodedText, i: number): string => c.values[c.codes[i]!]!

/** Firm `i`. */
export const firmAt = (f: Firms, i: number): FirmView => ({
  creditCode: f.creditCode[i]!,
  nameZh: f.nameZh[i]!,
  nameKey: f.nameKey[i]!,
  fullKey: f.fullKey[i]!,
  province: textAt(f.province, i),
  city: textAt(f.city, i),
  sector: textAt(f.sector, i),
})
