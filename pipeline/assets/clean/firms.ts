/**
 * Registry firms (reference rows without an entity id) normalised into columns (`Clean.Firms`):
 * the credit code, the Chinese name with its keys, province, city, sector and provenance, which
 * is what list linking reads. The same normalisers as the clean tables' (`zh`, `code`, `memo`),
 * without an object per row, in parts that worker threads do at once (parts.ts).
 */
import type { Firms } from "../../domain/Clean.js"
import type * as Finding from "../../domain/Finding.js"
import type * as RawRows from "../../domain/RawRows.js"
import { normalizeText } from "../../normalize/text.js"
import { isFirm } from "../../reconcile/entities/Firms.js"
import { code, type Emit, memo, zh } from "./normalise.js"
import { CodedBuilder, cut, fieldBlocks, FULL_KEY_IS_KEY, inParts, NameColumns, type Part, type PartsOptions, rowsIn, type Slice, TextBuilder } from "./parts.js"

const ENTITY_ID = "entity_id"

/** Normalises the firm rows of some slices, in order; `joined` for a part that crosses threads (see TextColumn). */
export const normaliseSlices = (slices: ReadonlyArray<Slice>, joined = false): Part => {
  const capacity = rowsIn(slices)
  const creditCode = new TextBuilder(capacity, joined)
  const name = new NameColumns(capacity, joined)
  const [province, city, sector, source] = [0, 0, 0, 0].map(() => new CodedBuilder(capacity)) as [CodedBuilder, CodedBuilder, CodedBuilder, CodedBuilder]
  const row = new Int32Array(capacity)
  const findings: Array<Finding.Finding> = []
  const emit: Emit = (f) => findings.push(f)
  const cat = memo(normalizeText)
  let n = 0
  for (const block of fieldBlocks(slices, ["credit_code", "name_zh", "province", "city", "sector", ENTITY_ID])) {
    const [codeCells, nameCells, provinceCells, cityCells, sectorCells, entityCells] = block.cells
    for (let i = 0; i < block.rows.length; i++) {
      // A table without an entity id column (no cells) is all firms.
      if (entityCells.length > 0 && !isFirm(entityCells[i])) continue
      const r = block.rows[i]!
      creditCode.set(n, code(codeCells[i] ?? "").code ?? "")
      name.set(n, zh(nameCells[i] ?? "", { source: block.source, row: r }, "name_zh", emit))
      province.set(n, cat(provinceCells[i] ?? ""))
      city.set(n, cat(cityCells[i] ?? ""))
      sector.set(n, cat(sectorCells[i] ?? ""))
      source.set(n, block.source)
      row[n] = r
      n++
    }
  }
  return {
    length: n,
    text: { creditCode: creditCode.done(n), nameZh: name.display.done(n), nameKey: name.key.done(n), fullKey: name.fullKey.done(n) },
    coded: { province: province.done(n), city: city.done(n), sector: sector.done(n), source: source.done(n) },
    numbers: { row: cut(row, n) },
    findings,
  }
}

/**
 * The firms of the reference tables, normalised in parts (one per core; see `inParts`), so the
 * result is the same however many parts there are. `workers`: the parts worker threads did.
 */
export const normaliseFirms = async (
  tables: ReadonlyArray<{ readonly source: { readonly id: string }; readonly rows: RawRows.RawRows }>,
  options: PartsOptions = {},
): Promise<{ readonly firms: Firms; readonly findings: ReadonlyArray<Finding.Finding>; readonly workers: number }> => {
  const { length, text, coded, numbers, findings, workers } = await inParts("firms", tables, normaliseSlices, FULL_KEY_IS_KEY, options)
  const firms: Firms = {
    length,
    creditCode: text.creditCode!,
    nameZh: text.nameZh!,
    nameKey: text.nameKey!,
    fullKey: text.fullKey!,
    province: coded.province!,
    city: coded.city!,
    sector: coded.sector!,
    source: coded.source!,
    row: numbers.row as Int32Array,
  }
  return { firms, findings, workers }
}
