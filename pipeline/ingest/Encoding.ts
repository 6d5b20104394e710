/**
 * Encoding detection and streaming decoding for text extracts.
 *
 * Why TextDecoder and not iconv-lite: Node here ships full ICU, so the WHATWG decoder knows
 * GB18030/GBK/UTF-16 natively, decodes in C++ (faster than iconv-lite's JS tables for UTF-8),
 * streams with `{ stream: true }` (a multibyte character cut at a chunk end is carried over),
 * and has a `fatal` mode that tells us a byte sequence is invalid, which iconv-lite cannot
 * (it silently substitutes U+FFFD): detection by "does it decode without error" needs fatal.
 */
import { TextDecoder } from "node:util"

/** Encodings `detectEncoding` can tell apart without being told. */
export type DetectedEncoding = "utf-8" | "utf-16le" | "utf-16be" | "gb18030"

/** What `detectEncoding` concluded; `confident: false` means "plain ASCII so far, any would do". */
export interface Detection {
  readonly encoding: DetectedEncoding
  readonly bom: boolean
  readonly confident: boolean
}

/** Bytes to sample for detection: large enough that Chinese text after an English header row is seen. */
export const SAMPLE_BYTES = 1 << 20

const decodesCleanly = (label: string, sample: Uint8Array): boolean => {
  try {
    // stream: true → an incomplete multibyte sequence at the sample end is buffered, not an error.
    new TextDecoder(label, { fatal: true }).decode(sample, { stream: true })
    return true
  } catch {
    return false
  }
}

const hasHighBytes = (sample: Uint8Array): boolean => {
  for (let i = 0; i < sample.length; i++) if (sample[i]! >= 0x80) return true
  return false
}

/**
 * Detects UTF-8 (with or without BOM), UTF-16 LE/BE (with BOM) and GB18030/GBK (not valid
 * UTF-8 but valid GB18030). Pass the first `SAMPLE_BYTES` of the file (or all of it).
 * Bytes that are neither come back as UTF-8, not confident; the fatal decoder then reports where.
 */
export const detectEncoding = (sample: Uint8Array): Detection => {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { encoding: "utf-8", bom: true, confident: true }
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: "utf-16le", bom: true, confident: true }
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: "utf-16be", bom: true, confident: true }
  if (!hasHighBytes(sample)) return { encoding: "utf-8", bom: false, confident: false }
  // UTF-8 first: GB18030 accepts many byte pairs that are also valid UTF-8, the reverse is rare.
  if (decodesCleanly("utf-8", sample)) return { encoding: "utf-8", bom: false, confident: true }
  if (decodesCleanly("gb18030", sample)) return { encoding: "gb18030", bom: false, confident: true }
  return { encoding: "utf-8", bom: false, confident: false }
}

/** Spelling variants people put in sidecars, mapped to WHATWG labels TextDecoder knows. */
const aliases: Record<string, string> = {
  utf8: "utf-8",
  "utf-8-sig": "utf-8",
  utf8bom: "utf-8",
  utf16: "utf-16le",
  "utf-16": "utf-16le",
  utf16le: "utf-16le",
  utf16be: "utf-16be",
  gb2312: "gbk",
  cp936: "gbk",
  gb18030: "gb18030",
}

/**
 * Resolves a user-given encoding name ("GB18030", "gbk", "utf8", "UTF-16", …) to the decoder's
 * canonical name, or undefined when no decoder knows it.
 */
export const resolveEncoding = (name: string): string | undefined => {
  const key = name.trim().toLowerCase().replace(/_/g, "-")
  const label = aliases[key] ?? aliases[key.replace(/-/g, "")] ?? key
  try {
    // GBK bytes are a subset of GB18030; decoding them as gb18030 is exact and also accepts 4-byte forms.
    const enc = new TextDecoder(label).encoding
    return enc === "gbk" ? "gb18030" : enc
  } catch {
    return undefined
  }
}

/**
 * A streaming decoder: strips a BOM, carries cut multibyte characters, fails on invalid bytes.
 * `midFile`: the text starts inside the file, where a U+FEFF is data, not a byte-order mark.
 */
export const makeDecoder = (encoding: string, midFile = false): TextDecoder => new TextDecoder(encoding, { fatal: true, ignoreBOM: midFile })

/**
 * Says why bytes are not a text table, or undefined when they may be one: NUL bytes (without a
 * UTF-16 BOM) or many control characters mean binary; known magic numbers get a helpful name.
 */
export const sniffBinary = (sample: Uint8Array): string | undefined => {
  const n = sample.length
  if (n === 0) return undefined
  const startsWith = (...bytes: number[]) => bytes.every((b, i) => sample[i] === b)
  if (startsWith(0xd0, 0xcf, 0x11, 0xe0)) return "an old Excel .xls (or other OLE2) file; save it as .xlsx or CSV"
  if (startsWith(0x25, 0x50, 0x44, 0x46)) return "a PDF document, not a table; export the table as CSV or XLSX"
  if (startsWith(0x1f, 0x8b)) return "a gzip archive; unpack it first"
  if (startsWith(0x50, 0x4b)) return "a zip archive that is not a readable XLSX"
  if (startsWith(0xff, 0xfe) || startsWith(0xfe, 0xff)) return undefined // UTF-16 text has NULs by nature
  let nul = 0
  let oddNul = 0
  let control = 0
  const m = Math.min(n, 64 * 1024)
  for (let i = 0; i < m; i++) {
    const b = sample[i]!
    if (b === 0) {
      nul++
      if (i % 2 === 1) oddNul++
    } else if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b)) control++
  }
  if (nul > 0) {
    // ASCII text in UTF-16 without BOM is every other byte NUL.
    if (nul > m / 3 && (oddNul > nul * 0.9 || oddNul < nul * 0.1))
      return `UTF-16 text without a byte-order mark, or binary; if it is text, set encoding: ${oddNul > nul * 0.9 ? "utf-16le" : "utf-16be"}`
    return "binary data (it contains NUL bytes), not a text table"
  }
  if (control > m * 0.05) return "binary data (many control characters), not a text table"
  return undefined
}
