import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import ExcelJS from "exceljs"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Decisions from "../../../pipeline/publish/workbook/Decisions.js"
import * as Render from "../../../pipeline/publish/workbook/Render.js"
import { sampleDoc } from "./sample.js"

const spec: Decisions.ColumnSpec = { sheet: "Links", keyColumn: "Link key", valueColumn: "Decision", allowed: ["accept", "reject", "merge", "split"] }

/** Renders the sample and edits it the way a reviewer would: three decisions, a sort, junk and blank rows. */
const editedWorkbook = Effect.gen(function* () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-decisions-"))
  const file = path.join(dir, "sample.xlsx")
  yield* Render.render(sampleDoc, file)
  const edited = path.join(dir, "returned.xlsx")
  yield* Effect.promise(async () => {
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(file)
    const ws = wb.getWorksheet("Links")!
    const decision = (key: string, value: string) => {
      ws.eachRow((row) => {
        if (row.getCell(1).value === key) row.getCell(8).value = value
      })
    }
    decision("L-001", "  Accept ")
    decision("L-003", "MERGE")
    decision("L-004", "split")
    decision("L-005", "maybe")
    // Sort: the reviewer reversed the rows (Z→A on the key).
    const values = [2, 3, 4, 5, 6].map((r) => (ws.getRow(r).values as Array<ExcelJS.CellValue>).slice(1))
    values.reverse().forEach((v, i) => {
      const row = ws.getRow(i + 2)
      v.forEach((cell, j) => (row.getCell(j + 1).value = cell ?? null))
    })
    ws.getCell("H9").value = "reject" // a decision with no key, below a blank row
    ws.getCell("B11").value = "notes from the meeting" // junk with neither key nor decision
    await wb.xlsx.writeFile(edited)
  })
  return { file, edited }
})

describe("Decisions.readTableColumn", () => {
  it.effect("reads decisions by key after sorting, with case and spaces folded and junk reported", () =>
    Effect.gen(function* () {
      const { edited } = yield* editedWorkbook
      const result = yield* Decisions.readTableColumn(edited, { ...spec, sheet: "links", keyColumn: "LINK  key" })
      expect(result.rows.map((r) => [r.row, r.key, r.value])).toEqual([
        [2, "L-005", null],
        [3, "L-004", "split"],
        [4, "L-003", "merge"],
        [5, "L-002", "accept"],
        [6, "L-001", "accept"],
      ])
      expect(result.rows[4]!.cells["Company (zh)"]).toBe("海尔卡奥斯物联生态科技有限公司")
      expect(result.findings.map((f) => [f.code, f.row, f.value, f.sheet])).toEqual([
        ["unknown-value", 2, "maybe", "Links"],
        ["value-without-key", 9, "reject", "Links"],
      ])
      expect(result.findings[0]!.message).toContain("L-005")
    }),
  )

  it.effect("reads the untouched workbook: only the pre-filled decisions", () =>
    Effect.gen(function* () {
      const { file } = yield* editedWorkbook
      const result = yield* Decisions.readTableColumn(file, spec)
      expect(result.rows.filter((r) => r.value !== null).map((r) => [r.key, r.value])).toEqual([
        ["L-002", "accept"],
        ["L-004", "reject"],
      ])
      expect(result.findings).toEqual([])
    }),
  )

  it.effect("reports a repeated key", () =>
    Effect.gen(function* () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-decisions-"))
      const file = path.join(dir, "dup.xlsx")
      const links = sampleDoc.sheets[1]!
      yield* Render.render({ properties: sampleDoc.properties, sheets: [{ ...links, rows: [["K", "a", null, null, null, null, null, "accept"], ["K", "b", null, null, null, null, null, "reject"]] } as typeof links] }, file)
      const result = yield* Decisions.readTableColumn(file, spec)
      expect(result.findings.map((f) => [f.code, f.row])).toEqual([["duplicate-key", 3]])
    }),
  )

  it.effect("fails with typed errors for a missing sheet, a missing column and an unreadable file", () =>
    Effect.gen(function* () {
      const { file } = yield* editedWorkbook
      const noSheet = yield* Effect.flip(Decisions.readTableColumn(file, { ...spec, sheet: "Linkz" }))
      expect(noSheet.reason).toBe("sheet-not-found")
      expect(noSheet.message).toContain('no sheet "Linkz" (sheets: "About", "Links", "Rounds")')
      const noColumn = yield* Effect.flip(Decisions.readTableColumn(file, { ...spec, valueColumn: "Verdict" }))
      expect(noColumn.reason).toBe("column-not-found")
      expect(noColumn.sheet).toBe("Links")
      expect(noColumn.message).toContain('no column "Verdict"')
      const junk = path.join(path.dirname(file), "junk.xlsx")
      fs.writeFileSync(junk, "not a zip")
      const unreadable = yield* Effect.flip(Decisions.readTableColumn(junk, spec))
      expect(unreadable.reason).toBe("read")
      expect(unreadable.message).toContain(junk)
    }),
  )
})
