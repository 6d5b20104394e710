import * as fc from "fast-check"
import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { checkCreditCode, creditCodeCheckChar } from "../../pipeline/normalize/creditCode.js"
import { anyText, readRows, runs, sharedDir } from "./support.js"

const ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
const toFullWidth = (s: string) => s.replace(/[0-9A-Za-z]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0))

describe("checkCreditCode", () => {
  // Codes as printed on business licences (914403001922038216 is Huawei Technologies Co., Ltd.).
  it.each(["91350100M000100Y43", "91110108551385082Q", "914403001922038216"])("accepts %s", (code) => {
    expect(checkCreditCode(code)).toEqual({ normalized: code, valid: true })
  })

  it("normalises full width, lower case and separators first", () => {
    expect(checkCreditCode(toFullWidth("91350100m000100y43"))).toEqual({ normalized: "91350100M000100Y43", valid: true })
    expect(checkCreditCode(" 9135 0100-M000 100Y43\u3000")).toEqual({ normalized: "91350100M000100Y43", valid: true })
  })

  it.each([
    ["91350100M000100Y44", "check-digit"],
    ["91350100M000100Y4", "format"],
    ["91350100M000100Y433", "format"],
    ["91350100I000100Y43", "format"],
    ["91350100M000100YO3", "format"],
    ["91350100M000100Y4Z", "format"],
    ["", "format"],
  ] as const)("rejects %j (%s)", (code, reason) => {
    const r = checkCreditCode(code)
    expect(r.valid).toBe(false)
    if (!r.valid) expect(r.reason).toBe(reason)
  })

  it("accepts every code in the generator's registry and catches its corrupted check characters", () => {
    const dir = mkdtempSync(join(tmpdir(), "uscc-"))
    try {
      execFileSync(process.execPath, [join(sharedDir, "bench/gen-extracts.mjs"), "--rows", "2000", "--out", dir], { stdio: "pipe" })
      const registry = readRows(join(dir, "company-registry.csv"))
      expect(registry.length).toBe(4000)
      for (const r of registry) expect(checkCreditCode(r[0]!), r[0]).toEqual({ normalized: r[0], valid: true })
      // List codes are registry codes, sometimes full-width, rarely with a corrupted check character.
      let corrupted = 0
      for (const r of readRows(join(dir, "miit-little-giants.csv"))) {
        if (r[2] === "") continue
        const c = checkCreditCode(r[2]!)
        expect(c.valid || c.reason === "check-digit", r[2]).toBe(true)
        if (!c.valid) corrupted++
      }
      // ~0.3% of ~800 printed codes (seed 7 writes two).
      expect(corrupted).toBeGreaterThanOrEqual(1)
      expect(corrupted).toBeLessThan(10)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("accepts any body with its computed check character and rejects every other last character", () => {
    const body = fc.array(fc.constantFrom(...ALPHABET), { minLength: 17, maxLength: 17 }).map((a) => a.join(""))
    fc.assert(
      fc.property(body, fc.integer({ min: 1, max: 30 }), (b, shift) => {
        const check = creditCodeCheckChar(b)!
        expect(checkCreditCode(b + check).valid).toBe(true)
        const wrong = ALPHABET[(ALPHABET.indexOf(check) + shift) % 31]!
        expect(checkCreditCode(b + wrong)).toEqual({ normalized: b + wrong, valid: false, reason: "check-digit" })
      }),
      runs,
    )
  })

  it("is total and its normalisation idempotent", () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const r = checkCreditCode(s)
        expect(checkCreditCode(r.normalized).normalized).toBe(r.normalized)
      }),
      runs,
    )
    expect(checkCreditCode("9".repeat(1_000_000)).valid).toBe(false)
  })
})
