/**
 * The large MIIT lists (kind `miit-list`) normalised into columns (`Clean.Listed`): the same
 * normalisers as the clean tables' (`zh`, `code`, `memo`), without an object per row, in parts
 * that worker threads do at once (parts.ts). A million-row list is kept, stored and linked as a
 * few arrays, where rows as objects cost seconds of garbage collection and storing.
 */
import type { Listed } from "../../domain/Clean.js"
import type * as Finding from "../../domain/Finding.js"
import type * as RawRows from "../../domain/RawRows.js"
import { normalizeText } from "../../normalize/text.js"
import { code, type Emit, memo, zh } from "./normalise.js"
import { CodedBuilder, cut, fieldBlocks, FULL_KEY_IS_KEY, inParts, NameColumns, type Part, type PartsOptions, rowsIn, type Slice, TextBuilder } from "./parts.js"

/** Normalises the list rows of some slices, in order; `joined` for a part that crosses threads (see parts.ts). */
export const normaliseSlices = (slices: ReadonlyArray<Slice>, joined = false): Part => {
  const capacity = rowsIn(slices)
  const [seq, creditCode, location] = [0, 0, 0].map(() => new TextBuilder(capacity, joined)) as [TextBuilder, TextBuilder, TextBuilder]
  const names = new NameColumns(capacity, joined)
  const [province, sector, batch, source] = [0, 0, 0, 0].map(() => new CodedBuilder(capacity)) as [CodedBuilder, CodedBuilder, CodedBuilder, CodedBuilder]
  const repaired = new Uint8Array(capacity)
  const valid = new Uint8Array(capacity)
  const row = new Int32Array(capacity)
  const findings: Array<Finding.Finding> = []
  const emit: Emit = (f) => findings.push(f)
  const cat = memo(normalizeText)
  let n = 0
  for (const block of fieldBlocks(slices, ["seq", "credit_code", "company_name_zh", "province", "sector", "batch"])) {
    const [seqCells, codeCells, nameCells, provinceCells, sectorCells, batchCells] = block.cells
    for (let i = 0; i < block.rows.length; i++, n++) {
      const r = block.rows[i]!
      seq.set(n, normalizeText(seqCells[i] ?? ""))
      const c = code(codeCells[i] ?? "")
      creditCode.set(n, c.code ?? "")
      valid[n] = c.valid ? 1 : 0
      const name = zh(nameCells[i] ?? "", { source: block.source, row: r }, "company_name_zh", emit)
      names.set(n, name)
      location.set(n, name?.location ?? "")
      repaired[n] = name?.repaired === undefined ? 0 : 1
      province.set(n, cat(provinceCells[i] ?? ""))
      sector.set(n, cat(sectorCells[i] ?? ""))
      batch.set(n, cat(batchCells[i] ?? ""))
      source.set(n, block.source)
      row[n] = r
    }
  }
  return {
    length: n,
    text: { seq: seq.done(n), creditCode: creditCode.done(n), nameZh: names.display.done(n), nameKey: names.key.done(n), fullKey: names.fullKey.done(n), location: location.done(n) },
    coded: { province: province.done(n), sector: sector.done(n), batch: batch.done(n), source: source.done(n) },
    numbers: { repaired: cut(repaired, n), creditCodeValid: cut(valid, n), row: cut(row, n) },
    findings,
  }
}

/** What `miit/lists` holds: the lists' rows in columns and the findings normalising them raised. */
export interface ListsValue {
  readonly rows: Listed
  readonly findings: ReadonlyArray<Finding.Finding>
}

/**
 * The rows of the `miit-list` tables, normalised in parts (one per core; see `inParts`), so the
 * result is the same however many parts there are. `workers`: the parts worker threads did.
 */
export const normaliseLists = async (
  tables: ReadonlyArray<{ readonly source: { readonly id: string }; readonly rows: RawRows.RawRows }>,
  options: PartsOptions = {},
): Promise<ListsValue & { readonly workers: number }> => {
  const { length, text, coded, numbers, findings, workers } = await inParts("list", tables, normaliseSlices, FULL_KEY_IS_KEY, options)
  const rows: Listed = {
    length,
    seq: text.seq!,
    nameZh: text.nameZh!,
    nameKey: text.nameKey!,
    fullKey: text.fullKey!,
    location: text.location!,
    repaired: numbers.repaired as Uint8Array,
    creditCode: text.creditCode!,
    creditCodeValid: numbers.creditCodeValid as Uint8Array,
    province: coded.province!,
    sector: coded.sector!,
    batch: coded.batch!,
    source: coded.source!,
    row: numbers.row as Int32Array,
  }
  return { rows, findings, workers }
}
