import { describe, expect, it } from "vitest"
import iconv from "iconv-lite"
import { detectEncoding, resolveEncoding, sniffBinary } from "../../../pipeline/ingest/Encoding.js"

const zh = "工业互联网平台，海尔卡奥斯物联生态科技有限公司；树根互联。"

describe("detectEncoding", () => {
  it("UTF-8 with and without BOM", () => {
    expect(detectEncoding(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]))).toEqual({ encoding: "utf-8", bom: true, confident: true })
    expect(detectEncoding(Buffer.from(zh))).toEqual({ encoding: "utf-8", bom: false, confident: true })
  })

  it("plain ASCII is UTF-8 but not confident", () => {
    expect(detectEncoding(Buffer.from("a,b\n1,2\n"))).toEqual({ encoding: "utf-8", bom: false, confident: false })
  })

  it("UTF-16 with BOM, both byte orders", () => {
    expect(detectEncoding(new Uint8Array([0xff, 0xfe, 0x61, 0]))).toMatchObject({ encoding: "utf-16le", bom: true })
    expect(detectEncoding(new Uint8Array([0xfe, 0xff, 0, 0x61]))).toMatchObject({ encoding: "utf-16be", bom: true })
  })

  it("GB18030 that is not valid UTF-8", () => {
    expect(detectEncoding(iconv.encode(zh, "gb18030"))).toEqual({ encoding: "gb18030", bom: false, confident: true })
  })

  it("a multibyte character cut at the sample end does not change the verdict", () => {
    const utf8 = Buffer.from(zh)
    const gb = iconv.encode(zh, "gb18030")
    for (let cut = 1; cut <= 2; cut++) {
      expect(detectEncoding(utf8.subarray(0, utf8.length - cut)).encoding).toBe("utf-8")
    }
    expect(detectEncoding(gb.subarray(0, gb.length - 1)).encoding).toBe("gb18030")
  })
})

describe("resolveEncoding", () => {
  it("accepts the spellings people write in sidecars", () => {
    expect(resolveEncoding("GB18030")).toBe("gb18030")
    expect(resolveEncoding("gbk")).toBe("gb18030")
    expect(resolveEncoding("GB2312")).toBe("gb18030")
    expect(resolveEncoding("utf8")).toBe("utf-8")
    expect(resolveEncoding("UTF-16")).toBe("utf-16le")
    expect(resolveEncoding("utf_16_be")).toBe("utf-16be")
    expect(resolveEncoding("Big5")).toBe("big5")
    expect(resolveEncoding("nonsense")).toBeUndefined()
  })
})

describe("sniffBinary", () => {
  it("text is not binary, NULs and magic numbers are", () => {
    expect(sniffBinary(Buffer.from("a,b\n1,2\n"))).toBeUndefined()
    expect(sniffBinary(Buffer.from(zh))).toBeUndefined()
    expect(sniffBinary(new Uint8Array([1, 2, 0, 3, 0, 0, 255]))).toContain("binary")
    expect(sniffBinary(Buffer.from("%PDF-1.7\n"))).toContain("PDF")
    expect(sniffBinary(Buffer.from("a,b\r\n", "utf16le"))).toContain("utf-16le")
  })
})
