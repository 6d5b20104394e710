/** A sample briefing pack exercising every block kind (shared by the PDF renderer tests). */
import * as P from "../../../pipeline/publish/pdf/PackDoc.js"

/** Chinese company names that must come out of the PDF exactly. */
export const chineseNames = ["海尔卡奥斯物联生态科技有限公司", "树根互联股份有限公司", "浪潮云洲工业互联网有限公司"] as const

/** An Egyptian hieroglyph: Noto Sans SC has no glyph for it. */
export const hieroglyph = "\u{13000}"

const provinces = ["山东", "广东", "北京", "上海", "江苏", "浙江", "湖南", "四川"]
const companies = [
  ["海尔卡奥斯物联生态科技有限公司", "Haier COSMOPlat"],
  ["树根互联股份有限公司", "Rootcloud"],
  ["浪潮云洲工业互联网有限公司", "Inspur Yunzhou"],
  ["航天云网科技发展有限责任公司", "CASICloud"],
  ["用友网络科技股份有限公司", "Yonyou"],
  ["华为技术有限公司", "Huawei FusionPlant"],
] as const

/** 120 deterministic table rows (no., Chinese name, English name, province, year, count). */
export const tableRows = Array.from({ length: 120 }, (_, i) => {
  const [zh, en] = companies[i % companies.length]!
  return [String(i + 1), zh, `${en} ${i + 1}`, provinces[i % provinces.length]!, String(2019 + (i % 4)), ((i * 37) % 900 + 12).toLocaleString("en-GB")]
})

/** The table header texts (checked on continuation pages). */
export const tableHeaders = ["No.", "Company (zh)", "Company (en)", "Province", "Year", "Employees"] as const

/** Builds the sample pack. */
export const samplePack = (extra: ReadonlyArray<P.Block> = []): P.PackDoc => ({
  meta: {
    title: "China IIoT overview: platforms, lighthouses and spending",
    author: "iiot-observatory",
    subject: "Briefing pack on China's Industrial Internet of Things",
    keywords: ["IIoT", "China", "MIIT", "lighthouses"],
    language: "en-GB",
    createdAt: "2022-10-31",
  },
  blocks: [
    P.cover({ title: "China's Industrial Internet of Things", subtitle: "Briefing pack, as of October 2022", lines: ["Run 2022-10-31T00-00", "Prepared for European policy analysts", "数据来源：工业和信息化部"] }),
    P.toc(),
    P.pageBreak,
    P.heading(1, "Key figures"),
    P.keyFigures([
      { label: "Cross-industry platforms on the 2022 MIIT list", value: "28", footnote: 1, note: "up from 15 in 2020" },
      { label: "State-owned share of platforms", value: "43%", footnote: 2 },
      { label: "Chinese lighthouses, October 2022", value: "37", footnote: 3, note: "38 with Taiwan" },
      { label: "IoT spending 2022 (IDC)", value: "US$ 198.5 bn", footnote: 4 },
      { label: "Share of the lighthouse network", value: "35.6%", footnote: 3 },
    ]),
    P.paragraph([
      { text: "海尔卡奥斯物联生态科技有限公司 operates COSMOPlat, the first platform on the MIIT list", footnote: 1 },
      { text: "; " },
      { text: "树根互联股份有限公司", bold: true },
      { text: " (Rootcloud) grew out of Sany Heavy Industry. Both appear in every list since 2019, and both are cited by the Ministry as examples of cross-industry reach。中国的工业互联网平台在“十四五”期间快速发展，跨行业跨领域平台数量从十五家增加到二十八家，其中国有企业占相当比例（见表一）。" },
      { text: "Read the MIIT announcement", link: "https://www.miit.gov.cn/jgsj/xxjsfzs/gzdt/art/2022/art_1.html", italic: true },
      { text: " for the full list, including 浪潮云洲工业互联网有限公司 and several others with a deliberately long Latin word like Supercalifragilisticexpialidociousplatformintegrationservicesforindustrialinternetinteroperabilityandcompliance to force a hard break." },
    ]),
    P.paragraph([{ text: `A name with a rare character the font lacks: Pharaoh ${hieroglyph} Industrial Co. is reported, not drawn as tofu.` }], "left"),
    P.heading(2, "Platforms by ownership"),
    P.chart({
      kind: "stacked-bar",
      title: "Cross-industry platforms by ownership and list year",
      categories: ["2019", "2020", "2021", "2022"],
      series: [
        { name: "State-owned", values: [4, 6, 9, 12] },
        { name: "Private", values: [6, 8, 10, 14] },
        { name: "Foreign-invested", values: [0, 1, null, 2] },
      ],
      yLabel: "Platforms",
      footnote: 1,
    }),
    P.heading(1, "Lighthouses"),
    P.paragraph("The World Economic Forum's Global Lighthouse Network recognises factories that lead in the adoption of Fourth Industrial Revolution technologies. China has had the largest number of sites in every round since 2019."),
    P.chart({
      kind: "line",
      title: "Lighthouse sites per round: China and the rest of the network",
      categories: ["Jan 2019", "Jul 2019", "Jan 2020", "Sep 2020", "Mar 2021", "Sep 2021", "Mar 2022", "Oct 2022"],
      series: [
        { name: "China (excluding Taiwan)", values: [6, 9, 12, 15, 21, 30, 33, 37] },
        { name: "Rest of network", values: [10, 17, 22, 29, 48, 60, null, 77] },
        { name: "Taiwan", values: [0, 0, 1, 1, 1, 1, 1, 1] },
      ],
      yLabel: "Sites",
      footnote: 3,
    }),
    P.chart({
      kind: "bar",
      title: "IoT spending by vintage of the forecast (US$ bn, 2022)",
      categories: ["IDC 2019 Worldwide IoT Spending Guide", "IDC 2020 Worldwide IoT Spending Guide", "IDC 2021 Worldwide IoT Spending Guide", "IDC 2022 Worldwide IoT Spending Guide"],
      series: [{ name: "Forecast for 2022", values: [221.6, 180.3, 190.1, 198.5] }],
      yLabel: "US$ bn",
      footnote: 4,
    }),
    P.heading(1, "Platform companies"),
    P.table({
      caption: "Table 1. Platform operators (synthetic sample)",
      footnote: 2,
      columns: tableHeaders.map((h, k) => (k === 0 || k >= 4 ? { header: h, align: "right" as const } : { header: h })),
      rows: tableRows,
      notes: ["Employees: synthetic numbers for layout tests."],
    }),
    P.heading(1, "Notes and sources"),
    P.footnotes([
      { n: 1, text: "MIIT, 2022 list of cross-industry, cross-domain industrial internet platforms (跨行业跨领域工业互联网平台清单).", link: "https://www.miit.gov.cn/" },
      { n: 2, text: "Ownership coded by the observatory from company registry data; see the data-quality annex." },
      { n: 3, text: "World Economic Forum, Global Lighthouse Network, round of October 2022; Taiwan counted separately." },
      { n: 4, text: "IDC Worldwide IoT Spending Guide, vintages 2019 to 2022; the latest vintage takes precedence." },
    ], "Notes"),
    P.heading(2, "Sources"),
    P.sourceList([
      { title: "跨行业跨领域工业互联网平台清单 (2022)", producer: "MIIT", url: "https://www.miit.gov.cn/jgsj/xxjsfzs/", retrieved: "2022-10-15" },
      { title: "Global Lighthouse Network", producer: "World Economic Forum", url: "https://www.weforum.org/projects/global_lighthouse_network", retrieved: "2022-10-20", citation: "WEF (2022), Global Lighthouse Network: Learning from Leaders." },
      { title: "Worldwide IoT Spending Guide", producer: "IDC", url: "https://www.idc.com/getdoc.jsp?containerId=IDC_P29475", retrieved: "2022-09-30" },
    ]),
    ...extra,
  ],
})
